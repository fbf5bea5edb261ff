import LLMRuntime

/// Host-side conversions between f32 and the 2-byte and e4m3 float types, as the
/// backends store them: round to nearest even, NaN kept NaN; e4m3 saturates at +-448
/// (the GPU's satfinite stores).
enum ElementConversion {
    static func bf16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }

    static func float(bf16 bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// The e4m3 nearest `value`: 4 exponent bits (bias 7), 3 mantissa bits, no infinity.
    /// Scaling by a power of two is exact, so rounding the scaled value rounds the value.
    static func e4m3Bits(_ value: Float) -> UInt8 {
        if value.isNaN { return 0x7F }
        let sign: UInt8 = value.sign == .minus ? 0x80 : 0
        let magnitude = abs(value)
        if magnitude >= 448 { return sign | 0x7E }
        if magnitude < 0x1p-6 {  // subnormal: multiples of 2^-9 (8 of them reach the smallest normal)
            return sign | UInt8((magnitude * 0x1p9).rounded(.toNearestOrEven))
        }
        var exponent = Int(magnitude.exponent)
        var steps = (magnitude * Float(sign: .plus, exponent: 3 - exponent, significand: 1)).rounded(.toNearestOrEven)
        if steps == 16 { exponent += 1; steps = 8 }
        return sign | UInt8((exponent + 7) << 3 | (Int(steps) - 8))
    }

    static func float(e4m3 bits: UInt8) -> Float {
        let exponent = Int(bits >> 3) & 0xF, mantissa = Float(bits & 7)
        if bits & 0x7F == 0x7F { return .nan }
        let magnitude = exponent == 0 ? mantissa * 0x1p-9 : (1 + mantissa / 8) * Float(sign: .plus, exponent: exponent - 7, significand: 1)
        return bits & 0x80 != 0 ? -magnitude : magnitude
    }

    /// `value` as the nearest number of type `dtype` (f32 values unchanged).
    static func rounded(_ value: Float, to dtype: DType) -> Float {
        switch dtype {
        case .bf16: return float(bf16: bf16Bits(value))
        case .f16: return Float(Float16(value))
        case .f8_e4m3: return float(e4m3: e4m3Bits(value))
        default: return value
        }
    }

    /// Little-endian bytes of `values` stored as `dtype` (f32, f16, bf16, f8_e4m3).
    static func bytes(_ values: [Float], as dtype: DType) -> [UInt8] {
        if dtype == .f8_e4m3 { return values.map(e4m3Bits) }
        let width = dtype == .f32 ? 4 : 2
        var out = [UInt8](repeating: 0, count: values.count * width)
        out.withUnsafeMutableBytes { raw in
            values.withUnsafeBufferPointer { v in
                for i in 0..<v.count {
                    switch dtype {
                    case .bf16: raw.storeBytes(of: bf16Bits(v[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                    case .f16: raw.storeBytes(of: Float16(v[i]).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self)
                    default: raw.storeBytes(of: v[i].bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self)
                    }
                }
            }
        }
        return out
    }

    /// `count` values of type `dtype` read from `raw` as f32.
    static func floats(_ raw: UnsafeRawBufferPointer, dtype: DType, count: Int) -> [Float] {
        (0..<count).map { i in
            switch dtype {
            case .bf16: return float(bf16: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
            case .f16: return Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            case .i32: return Float(raw.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self))
            case .f8_e4m3: return float(e4m3: raw[i])
            default: return raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
            }
        }
    }
}
