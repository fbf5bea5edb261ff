/// Host-side conversions to bf16, the CUDA backend's weight and activation type.
public enum BFloat16Conversion {
    /// The bf16 bits nearest to `value` (round to nearest, ties to even); NaN stays a
    /// quiet NaN, infinities and signed zeros are kept.
    @inline(__always)
    public static func bf16Bits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        let roundingBias: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ roundingBias) >> 16)
    }

    /// The f32 value of bf16 bits (exact).
    @inline(__always)
    public static func float(bf16 bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// The f32 value of IEEE half-precision bits (exact, subnormals included).
    @inline(__always)
    public static func float(f16 bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int((bits >> 10) & 0x1F)
        var mantissa = UInt32(bits & 0x3FF)
        switch exponent {
        case 0x1F:
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        case 0:
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal: normalise the mantissa.
            var e = -14
            while mantissa & 0x400 == 0 {
                mantissa <<= 1
                e -= 1
            }
            mantissa &= 0x3FF
            return Float(bitPattern: sign | UInt32(e + 127) << 23 | (mantissa << 13))
        default:
            return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }

    /// Converts `count` f32 values to bf16.
    public static func convert(f32 source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int) {
        // Checkpoint data need not be aligned (safetensors offsets are arbitrary).
        let output = destination.bindMemory(to: UInt16.self, capacity: count)
        for i in 0..<count { output[i] = bf16Bits(Float(bitPattern: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
    }

    /// Converts `count` f16 values to bf16 (through f32, so exactly rounded once).
    public static func convert(f16 source: UnsafeRawPointer, to destination: UnsafeMutableRawPointer, count: Int) {
        let output = destination.bindMemory(to: UInt16.self, capacity: count)
        for i in 0..<count { output[i] = bf16Bits(float(f16: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) }
    }
}
