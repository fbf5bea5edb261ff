import LLMRuntime

/// Host-side conversions between f32 and the 2-byte float types, as the backends store
/// them: round to nearest even, NaN kept NaN.
enum ElementConversion {
    static func bf16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(bits >> 16) | 0x0040 }
        let rounding = 0x7FFF + ((bits >> 16) & 1)
        return UInt16((bits &+ rounding) >> 16)
    }

    static func float(bf16 bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// `value` as the nearest number of type `dtype` (f32 values unchanged).
    static func rounded(_ value: Float, to dtype: DType) -> Float {
        switch dtype {
        case .bf16: return float(bf16: bf16Bits(value))
        case .f16: return Float(Float16(value))
        default: return value
        }
    }

    /// Little-endian bytes of `values` stored as `dtype` (f32, f16, bf16).
    static func bytes(_ values: [Float], as dtype: DType) -> [UInt8] {
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
            default: return raw.loadUnaligned(fromByteOffset: 4 * i, as: Float.self)
            }
        }
    }
}
