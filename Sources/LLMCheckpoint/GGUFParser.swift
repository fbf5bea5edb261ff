/// The parsed header of a GGUF file: metadata and tensor table.
struct GGUFHeader {
    var version: UInt32 = 0
    var metadata: [String: GGUFValue] = [:]
    var metadataKeys: [String] = []
    var tensors: [GGUFTensorInfo] = []
    var alignment = GGUFParser.defaultAlignment
    var dataOffset = 0
}

/// Reads the GGUF header (v2 and v3, little-endian). Every count is checked against the
/// bytes left in the file before anything is allocated, so corrupt files fail fast with
/// a `CheckpointError` instead of allocating or looping for a long time.
struct GGUFParser {
    static let defaultAlignment = 32
    static let maxArrayNesting = 8
    static let maxDimensions = 4
    /// Minimum encoded size of one tensor-table entry: name length (8), dimension count
    /// (4), type (4) and offset (8).
    static let minimumTensorInfoSize = 24
    /// Minimum encoded size of one metadata entry: key length (8), type (4), one byte.
    static let minimumKeyValueSize = 13

    private var reader: ByteReader
    private let file: String
    private let fileSize: Int

    init(_ mapped: MappedFile) {
        reader = ByteReader(mapped)
        file = mapped.path
        fileSize = mapped.count
    }

    mutating func parse() throws -> GGUFHeader {
        var header = GGUFHeader()
        try readMagic()
        header.version = try readVersion()
        let tensorCount = try reader.u64("tensor count")
        let keyValueCount = try reader.u64("metadata count")
        try checkCount(keyValueCount, minimumSize: Self.minimumKeyValueSize, field: "metadata count")

        header.metadataKeys.reserveCapacity(Int(keyValueCount))
        for index in 0..<Int(keyValueCount) {
            let key = try reader.string("metadata key #\(index)")
            if header.metadata[key] != nil {
                throw CheckpointError.malformed(
                    file: file, field: "metadata key #\(index)", expected: "unique keys",
                    found: "a second '\(key)'")
            }
            let type = try readValueType("type of metadata '\(key)'")
            header.metadata[key] = try readValue(type, field: "metadata '\(key)'", depth: 0)
            header.metadataKeys.append(key)
        }
        header.alignment = try alignment(in: header.metadata)

        try checkCount(tensorCount, minimumSize: Self.minimumTensorInfoSize, field: "tensor count")
        var seen = Set<String>()
        header.tensors.reserveCapacity(Int(tensorCount))
        for index in 0..<Int(tensorCount) {
            let info = try readTensorInfo(index: index, alignment: header.alignment)
            if !seen.insert(info.name).inserted {
                throw CheckpointError.malformed(
                    file: file, field: "tensor #\(index) name", expected: "unique tensor names",
                    found: "a second '\(info.name)'")
            }
            header.tensors.append(info)
        }

        let (padded, overflow) = reader.offset.addingReportingOverflow(header.alignment - 1)
        if overflow { throw malformed("data section offset", "a representable offset", "overflow") }
        header.dataOffset = padded / header.alignment * header.alignment
        for info in header.tensors { try checkDataRange(info, dataOffset: header.dataOffset) }
        try checkNoOverlap(header.tensors)
        return header
    }

    /// Tensors sharing bytes would read each other's data (writers lay them end to end;
    /// a tensor of an unknown type has no known size and is not checked).
    private func checkNoOverlap(_ tensors: [GGUFTensorInfo]) throws {
        let sized = tensors.compactMap { info in info.byteCount.map { (info, $0) } }.filter { $0.1 > 0 }
            .sorted { ($0.0.offset, $0.0.name) < ($1.0.offset, $1.0.name) }
        for (previous, next) in zip(sized, sized.dropFirst()) where next.0.offset < previous.0.offset + previous.1 {
            throw malformed("data offset of tensor '\(next.0.name)'",
                            "an offset at or after \(previous.0.offset + previous.1), where tensor '\(previous.0.name)' ends",
                            "\(next.0.offset)")
        }
    }

    // MARK: - Header fields

    private mutating func readMagic() throws {
        try reader.require(4, "magic")
        let bytes = (0..<4).map { reader.base.load(fromByteOffset: $0, as: UInt8.self) }
        guard bytes == [0x47, 0x47, 0x55, 0x46] else {
            let hex = bytes.map { byte in
                let digits = String(byte, radix: 16, uppercase: true)
                return digits.count == 1 ? "0" + digits : digits
            }
            throw malformed("magic", "\"GGUF\" (47 47 55 46)", hex.joined(separator: " "))
        }
        try reader.skip(4, "magic")
    }

    private mutating func readVersion() throws -> UInt32 {
        let version = try reader.u32("version")
        switch version {
        case 2, 3:
            return version
        case 1:
            throw CheckpointError.unsupported(
                file: file, field: "GGUF version",
                value: "1 (GGUF v1 is obsolete; convert the model again with a current llama.cpp)")
        default:
            if version.byteSwapped == 2 || version.byteSwapped == 3 {
                throw CheckpointError.unsupported(
                    file: file, field: "GGUF byte order", value: "big-endian (only little-endian files are read)")
            }
            throw CheckpointError.unsupported(file: file, field: "GGUF version", value: "\(version) (supported: 2, 3)")
        }
    }

    /// Rejects a count that cannot fit in the bytes left, before anything is allocated.
    private func checkCount(_ count: UInt64, minimumSize: Int, field: @autoclosure () -> String) throws {
        let limit = reader.remaining / minimumSize
        if count > UInt64(limit) {
            throw malformed(field(), "at most \(limit) (what fits in the \(reader.remaining) bytes left)", "\(count)")
        }
    }

    private mutating func readValueType(_ field: @autoclosure () -> String) throws -> GGUFValueType {
        let raw = try reader.u32(field())
        guard let type = GGUFValueType(rawValue: raw) else {
            throw malformed(field(), "a GGUF value type (0...12)", "\(raw)")
        }
        return type
    }

    // MARK: - Metadata values

    private mutating func readValue(
        _ type: GGUFValueType, field: @autoclosure () -> String, depth: Int
    ) throws -> GGUFValue {
        switch type {
        case .uint8: return .uint8(try reader.u8(field()))
        case .int8: return .int8(Int8(bitPattern: try reader.u8(field())))
        case .uint16: return .uint16(try reader.u16(field()))
        case .int16: return .int16(Int16(bitPattern: try reader.u16(field())))
        case .uint32: return .uint32(try reader.u32(field()))
        case .int32: return .int32(Int32(bitPattern: try reader.u32(field())))
        case .float32: return .float32(Float(bitPattern: try reader.u32(field())))
        case .uint64: return .uint64(try reader.u64(field()))
        case .int64: return .int64(Int64(bitPattern: try reader.u64(field())))
        case .float64: return .float64(Double(bitPattern: try reader.u64(field())))
        case .string: return .string(try reader.string(field()))
        case .bool:
            let byte = try reader.u8(field())
            guard byte <= 1 else { throw malformed(field(), "a bool (0 or 1)", "\(byte)") }
            return .bool(byte == 1)
        case .array:
            if depth >= Self.maxArrayNesting {
                throw CheckpointError.unsupported(
                    file: file, field: field(), value: "arrays nested deeper than \(Self.maxArrayNesting) levels")
            }
            let elementType = try readValueType("element type of \(field())")
            let count = try reader.u64("element count of \(field())")
            try checkCount(count, minimumSize: elementType.minimumEncodedSize, field: "element count of \(field())")
            var values: [GGUFValue] = []
            values.reserveCapacity(Int(count))
            for index in 0..<Int(count) {
                values.append(try readValue(elementType, field: "\(field())[\(index)]", depth: depth + 1))
            }
            return .array(elementType, values)
        }
    }

    private func alignment(in metadata: [String: GGUFValue]) throws -> Int {
        guard let value = metadata["general.alignment"] else { return Self.defaultAlignment }
        guard let alignment = value.int else {
            throw malformed("general.alignment", "an unsigned integer", "\(value.type) \(value)")
        }
        guard alignment > 0, alignment & (alignment - 1) == 0, alignment <= 1 << 30 else {
            throw malformed("general.alignment", "a power of two", "\(alignment)")
        }
        return alignment
    }

    // MARK: - Tensor table

    private mutating func readTensorInfo(index: Int, alignment: Int) throws -> GGUFTensorInfo {
        let name = try reader.string("name of tensor #\(index)")
        let field = "tensor '\(name)'"
        let dimensionCount = try reader.u32("dimension count of \(field)")
        guard dimensionCount <= Self.maxDimensions else {
            throw malformed("dimension count of \(field)", "at most \(Self.maxDimensions)", "\(dimensionCount)")
        }
        var dimensions: [Int] = []
        var elements = 1
        for axis in 0..<Int(dimensionCount) {
            let raw = try reader.u64("dimension \(axis) of \(field)")
            guard raw <= UInt64(Int64.max) else {
                throw malformed("dimension \(axis) of \(field)", "a size below 2^63", "\(raw)")
            }
            let size = Int(raw)
            let (product, overflow) = elements.multipliedReportingOverflow(by: size)
            if overflow { throw malformed("dimensions of \(field)", "an element count below 2^63", "overflow") }
            elements = product
            dimensions.append(size)
        }
        let ggmlType = try reader.u32("type of \(field)")
        let rawOffset = try reader.u64("data offset of \(field)")
        guard rawOffset <= UInt64(Int64.max) else {
            throw malformed("data offset of \(field)", "an offset below 2^63", "\(rawOffset)")
        }
        guard Int(rawOffset) % alignment == 0 else {
            throw malformed("data offset of \(field)", "a multiple of the alignment \(alignment)", "\(rawOffset)")
        }

        var byteCount: Int?
        let type = GGMLType.lookup(ggmlType)
        if let type {
            let first = dimensions.first ?? 1
            guard first % type.blockElements == 0 else {
                throw malformed(
                    "dimensions of \(field)",
                    "a first dimension that is a multiple of \(type.blockElements) (the \(type.name) block size)",
                    "\(dimensions)")
            }
            let (bytes, overflow) = (elements / type.blockElements).multipliedReportingOverflow(by: type.blockBytes)
            if overflow { throw malformed("size of \(field)", "a byte count below 2^63", "overflow") }
            byteCount = bytes
        }
        return GGUFTensorInfo(
            name: name, dimensions: dimensions, ggmlType: ggmlType, dtype: type?.dtype,
            offset: Int(rawOffset), byteCount: byteCount)
    }

    private func checkDataRange(_ info: GGUFTensorInfo, dataOffset: Int) throws {
        guard let byteCount = info.byteCount else { return }
        let (start, overflowStart) = dataOffset.addingReportingOverflow(info.offset)
        let (end, overflowEnd) = start.addingReportingOverflow(byteCount)
        if overflowStart || overflowEnd || end > fileSize {
            throw CheckpointError.truncated(
                file: file, field: "data of tensor '\(info.name)' (\(info.ggmlTypeName) \(info.dimensions))",
                offset: overflowStart ? Int.max : start, needed: byteCount, fileSize: fileSize)
        }
    }

    private func malformed(_ field: String, _ expected: String, _ found: String) -> CheckpointError {
        CheckpointError.malformed(file: file, field: field, expected: expected, found: found)
    }
}
