import CLLMKernels
import LLMRuntime
import Testing
@testable import LLMCPU

/// A token's linear-layer output does not depend on which other tokens share the call:
/// batched rows (four per unpacked weight block, plus a tail) equal each row computed
/// alone, bit for bit, in both matrix modes. The engine's batch invariance (a prompt's
/// greedy output is the same alone or among many) rests on this.
@Suite("Linear layers are batch invariant")
struct BatchInvarianceTests {
    /// 24 output rows use the per-row kernels, 32 the interleaved kernel where the CPU has
    /// it (AVX-512 VNNI: Q4_0, Q4_1 and Q8_0; AVX2: Q4_0 and Q4_1).
    @Test(arguments: [DType.q4_0, .q4_1, .q8_0, .q4_K, .q6_K, .f32], [(false, 24), (true, 24), (false, 32)])
    func rowsEqualSingleTokenCalls(type: DType, exactAndRows: (Bool, Int)) throws {
        let (exact, outFeatures) = exactAndRows
        let (tokens, inFeatures) = (19, 512 + 32)
        let count = type.blockElements == 256 ? 768 : inFeatures
        let bytes: [UInt8] = type.isQuantized
            ? KernelReference.randomQuantized(type, rows: outFeatures, columns: count, seed: 5)
            : KernelReference.randomFloats(outFeatures * count, seed: 5, scale: 0.1).flatMap { v in withUnsafeBytes(of: v) { Array($0) } }
        let backend = try CPUBackend(options: .init(threads: 2, exactMatmul: exact))
        let weight = try backend.allocate(shape: [outFeatures, count], dtype: type)
        try bytes.withUnsafeBytes { try weight.cpuPointer("test").copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        let x = KernelReference.randomFloats(tokens * count, seed: 6)
        let batched = try backend.allocate(shape: [tokens, outFeatures], dtype: .f32)
        try backend.linear(try backend.tensor(x, shape: [tokens, count]), weight: weight, bias: nil, out: batched)
        let all = try backend.readFloats(batched)
        for t in 0..<tokens {
            let single = try backend.allocate(shape: [1, outFeatures], dtype: .f32)
            try backend.linear(try backend.tensor(Array(x[t * count ..< (t + 1) * count]), shape: [1, count]), weight: weight, bias: nil, out: single)
            let alone = try backend.readFloats(single)
            #expect(alone.map(\.bitPattern) == all[t * outFeatures ..< (t + 1) * outFeatures].map(\.bitPattern), "\(type) exact \(exact) token \(t)")
        }
    }
}
