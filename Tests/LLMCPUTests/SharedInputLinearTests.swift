import CLLMKernels
import LLMRuntime
import Testing
@testable import LLMCPU

/// `linear(_:into:)` runs a layer's q, k and v as one pass of the interleaved kernel
/// (the input quantised once, the threads sharing out every product's rows). Each row is
/// computed by the same operations either way, so the outputs must equal separate
/// products bit for bit, on both the few-token and the many-token split, also with
/// weights of different formats in one pass.
@Suite("Products sharing one input")
struct SharedInputLinearTests {
    @Test("q, k and v in one pass equal three products", arguments: [[DType.q4_1, .q4_1, .q4_1], [.q8_0, .q8_0, .q8_0], [.q4_1, .q8_0, .q4_1]],
          [1, 3, 4, 9])
    func sharedEqualsSeparate(types: [DType], tokens: Int) throws {
        let backend = try CPUBackend(options: .init(threads: 2))
        let inFeatures = 96, rows = [64, 32, 32]
        let weights = try zip(types, rows).enumerated().map { i, typeAndRows in
            let (type, count) = typeAndRows
            let bytes = KernelReference.randomQuantized(type, rows: count, columns: inFeatures, seed: UInt64(50 + i))
            let tensor = try backend.allocate(shape: [count, inFeatures], dtype: type)
            try bytes.withUnsafeBytes { try backend.write($0, to: tensor) }
            return tensor
        }
        let bias = try backend.tensor(KernelReference.randomFloats(32, seed: 60), shape: [32])
        let x = try backend.tensor(KernelReference.randomFloats(tokens * inFeatures, seed: 61), shape: [tokens, inFeatures])
        func outputs() throws -> [LinearOutput] {
            try weights.enumerated().map { i, w in
                LinearOutput(weight: w, bias: i == 1 ? bias : nil, out: try backend.allocate(shape: [tokens, w.shape[0]], dtype: .f32))
            }
        }
        let together = try outputs(), apart = try outputs()
        try backend.linear(x, into: together)
        for output in apart { try backend.linear(x, weight: output.weight, bias: output.bias, out: output.out) }
        for (a, b) in zip(together, apart) {
            #expect(try backend.readFloats(a.out).map(\.bitPattern) == backend.readFloats(b.out).map(\.bitPattern))
        }
        // And the products are right, not merely alike.
        let expected = KernelReference.matmul(try backend.readFloats(x), tokens: tokens,
                                              KernelReference.dequantize(types[0], try bytesOf(weights[0], backend), count: 64 * inFeatures),
                                              outFeatures: 64, inFeatures: inFeatures)
        #expect(KernelReference.maxRelativeError(try backend.readFloats(together[0].out), expected) < 2e-2)
    }

    private func bytesOf(_ tensor: Tensor, _ backend: CPUBackend) throws -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: tensor.byteCount)
        try bytes.withUnsafeMutableBytes { try backend.read(tensor, into: $0) }
        return bytes
    }
}
