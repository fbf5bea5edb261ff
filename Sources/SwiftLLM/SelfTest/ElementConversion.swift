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
        var out: [UInt8] = []
        out.reserveCapacity(values.count * (dtype == .f32 ? 4 : 2))
        for v in values {
            switch dtype {
            case .bf16:
                let b = bf16Bits(v)
                out += [UInt8(b & 0xFF), UInt8(b >> 8)]
            case .f16:
                let b = Float16(v).bitPattern
                out += [UInt8(b & 0xFF), UInt8(b >> 8)]
            default:
                let b = v.bitPattern
                out += [UInt8(b & 0xFF), UInt8((b >> 8) & 0xFF), UInt8((b >> 16) & 0xFF), UInt8(b >> 24)]
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
