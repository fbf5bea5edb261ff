/// The type tag of a GGUF metadata value, as stored in the file.
public enum GGUFValueType: UInt32, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0, int8 = 1, uint16 = 2, int16 = 3, uint32 = 4, int32 = 5, float32 = 6
    case bool = 7, string = 8, array = 9, uint64 = 10, int64 = 11, float64 = 12

    /// The fewest bytes one value of this type occupies in a file; used to bound counts
    /// against the bytes that are left before allocating anything.
    var minimumEncodedSize: Int {
        switch self {
        case .uint8, .int8, .bool: return 1
        case .uint16, .int16: return 2
        case .uint32, .int32, .float32: return 4
        case .uint64, .int64, .float64, .string: return 8
        case .array: return 12  // element type (u32) + count (u64)
        }
    }

    /// The type's name as in the GGUF specification, lower-cased.
    public var description: String {
        switch self {
        case .uint8: return "uint8"
        case .int8: return "int8"
        case .uint16: return "uint16"
        case .int16: return "int16"
        case .uint32: return "uint32"
        case .int32: return "int32"
        case .float32: return "float32"
        case .bool: return "bool"
        case .string: return "string"
        case .array: return "array"
        case .uint64: return "uint64"
        case .int64: return "int64"
        case .float64: return "float64"
        }
    }
}

/// One GGUF metadata value. Arrays keep their element type, so an empty array still
/// says what it holds; arrays may nest.
public enum GGUFValue: Sendable, Equatable {
    case uint8(UInt8)
    case int8(Int8)
    case uint16(UInt16)
    case int16(Int16)
    case uint32(UInt32)
    case int32(Int32)
    case float32(Float)
    case bool(Bool)
    case string(String)
    case array(GGUFValueType, [GGUFValue])
    case uint64(UInt64)
    case int64(Int64)
    case float64(Double)

    /// The type tag this value is stored with.
    public var type: GGUFValueType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .uint16: return .uint16
        case .int16: return .int16
        case .uint32: return .uint32
        case .int32: return .int32
        case .float32: return .float32
        case .bool: return .bool
        case .string: return .string
        case .array: return .array
        case .uint64: return .uint64
        case .int64: return .int64
        case .float64: return .float64
        }
    }

    /// Any integer value as `Int`; nil for other types and for a uint64 above `Int.max`.
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// Any numeric value as `Double` (float32 values are widened exactly).
    public var double: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return int.map(Double.init)
        }
    }

    /// A float32 value as written, widened through its shortest decimal form so that
    /// 1e-5 (stored as float32) reads back as 1e-5, not 9.99999974e-06.
    public var decimalDouble: Double? {
        if case let .float32(v) = self { return Double(String(v)) ?? Double(v) }
        return double
    }

    /// The text of a string value.
    public var string: String? {
        if case let .string(v) = self { return v }
        return nil
    }

    /// The value of a bool.
    public var bool: Bool? {
        if case let .bool(v) = self { return v }
        return nil
    }

    /// The elements of an array value.
    public var array: [GGUFValue]? {
        if case let .array(_, values) = self { return values }
        return nil
    }

    /// An array of strings.
    public var strings: [String]? {
        guard case let .array(type, values) = self, type == .string else { return nil }
        var result: [String] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard case let .string(text) = value else { return nil }
            result.append(text)
        }
        return result
    }

    /// An array of integers of any integer type.
    public var ints: [Int]? {
        guard case let .array(_, values) = self else { return nil }
        var result: [Int] = []
        result.reserveCapacity(values.count)
        for value in values {
            guard let v = value.int else { return nil }
            result.append(v)
        }
        return result
    }

    /// An array of numbers as `Float` (float64 and integers are converted).
    public var floats: [Float]? {
        guard case let .array(_, values) = self else { return nil }
        var result: [Float] = []
        result.reserveCapacity(values.count)
        for value in values {
            if case let .float32(v) = value {
                result.append(v)
            } else if let v = value.double {
                result.append(Float(v))
            } else {
                return nil
            }
        }
        return result
    }
}

extension GGUFValue: CustomStringConvertible {
    /// The value for messages; long arrays are abbreviated.
    public var description: String {
        switch self {
        case let .uint8(v): return "\(v)"
        case let .int8(v): return "\(v)"
        case let .uint16(v): return "\(v)"
        case let .int16(v): return "\(v)"
        case let .uint32(v): return "\(v)"
        case let .int32(v): return "\(v)"
        case let .float32(v): return "\(v)"
        case let .bool(v): return "\(v)"
        case let .string(v): return "\"\(v)\""
        case let .uint64(v): return "\(v)"
        case let .int64(v): return "\(v)"
        case let .float64(v): return "\(v)"
        case let .array(type, values):
            let shown = values.prefix(8).map(\.description).joined(separator: ", ")
            let more = values.count > 8 ? ", ... (\(values.count) \(type) values)" : ""
            return "[\(shown)\(more)]"
        }
    }
}
