import CLLMKernels
import LLMRuntime

/// Deterministic inputs and naive reference computations for kernel tests.
enum KernelReference {
    static func randomFloats(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var rng = SplitMix64(state: seed)
        return (0..<count).map { _ in Float.random(in: -scale...scale, using: &rng) }
    }

    /// Random bytes for `rows` rows of a quantised format, with every fp16 scale field
    /// replaced by a small finite value so dequantised values are sane.
    static func randomQuantized(_ type: DType, rows: Int, columns: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        let blocks = rows * columns / type.blockElements
        var bytes = (0..<(blocks * type.blockBytes)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let halfOffsets: [Int]
        switch type {
        case .q4_0, .q5_0, .q8_0: halfOffsets = [0]
        case .q4_1, .q5_1, .q4_K, .q5_K: halfOffsets = [0, 2]
        case .q6_K: halfOffsets = [208]
        default: halfOffsets = []
        }
        for b in 0..<blocks {
            for offset in halfOffsets {
                let value = llm_fp32_to_fp16(Float.random(in: 0.001...0.02, using: &rng))
                bytes[b * type.blockBytes + offset] = UInt8(value & 0xFF)
                bytes[b * type.blockBytes + offset + 1] = UInt8(value >> 8)
            }
        }
        return bytes
    }

    static func dequantize(_ type: DType, _ bytes: [UInt8], count: Int) -> [Float] {
        var out = [Float](repeating: 0, count: count)
        _ = bytes.withUnsafeBytes { src in
            out.withUnsafeMutableBufferPointer { llm_dequantize(type.kernelTypeID, src.baseAddress, $0.baseAddress, Int64(count)) }
        }
        return out
    }

    static func matmul(_ x: [Float], tokens: Int, _ w: [Float], outFeatures: Int, inFeatures: Int) -> [Float] {
        var out = [Float](repeating: 0, count: tokens * outFeatures)
        for t in 0..<tokens {
            for o in 0..<outFeatures {
                var s: Double = 0
                for i in 0..<inFeatures { s += Double(x[t * inFeatures + i]) * Double(w[o * inFeatures + i]) }
                out[t * outFeatures + o] = Float(s)
            }
        }
        return out
    }

    static func maxRelativeError(_ a: [Float], _ b: [Float]) -> Float {
        let scale = b.map(abs).max() ?? 1
        return zip(a, b).map { abs($0 - $1) }.max().map { $0 / max(scale, 1e-6) } ?? 0
    }
}
