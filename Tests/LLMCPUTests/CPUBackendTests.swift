import Foundation
import CLLMKernels
import LLMRuntime
import Testing
@testable import LLMCPU

@Suite("CPU kernels against naive references")
struct CPUBackendTests {
    static let matmulTypes: [DType] = [.q4_0, .q4_1, .q8_0, .q4_K, .q6_K, .q5_0, .q5_1, .q5_K, .f16, .bf16]

    /// 48 output rows take the interleaved kernel where the CPU has it (groups of 16 rows;
    /// AVX-512 VNNI: Q4_0, Q4_1, Q8_0; AVX2: Q4_0, Q4_1); 37 the per-row kernels; 16 rows on
    /// 3 threads leave two threads without a share of their own (they only steal).
    @Test("linear matches a f64 reference for every weight format, fast and exact", arguments: matmulTypes, [(1, 37), (2, 37), (2, 48), (1, 48), (3, 16)])
    func linear(type: DType, threadsAndRows: (Int, Int)) throws {
        let (threads, outFeatures) = threadsAndRows
        let (tokens, inFeatures) = (11, 512)
        let bytes: [UInt8]
        if type.isQuantized {
            bytes = KernelReference.randomQuantized(type, rows: outFeatures, columns: inFeatures, seed: 7)
        } else {
            let values = KernelReference.randomFloats(outFeatures * inFeatures, seed: 7, scale: 0.1)
            bytes = values.flatMap { v -> [UInt8] in
                let bits: UInt16 = type == .f16 ? llm_fp32_to_fp16(v) : UInt16(v.bitPattern >> 16)
                return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
            }
        }
        let weights = KernelReference.dequantize(type, bytes, count: outFeatures * inFeatures)
        let x = KernelReference.randomFloats(tokens * inFeatures, seed: 11)
        let expected = KernelReference.matmul(x, tokens: tokens, weights, outFeatures: outFeatures, inFeatures: inFeatures)
        for exact in [false, true] {
            let backend = try CPUBackend(options: .init(threads: threads, exactMatmul: exact))
            // Formats read in place keep pointing at `bytes`; copy them so the view outlives the closure.
            let owned = try bytes.withUnsafeBytes { raw in
                try copyIfBorrowed(backend.upload(weight: HostTensor(shape: [outFeatures, inFeatures], dtype: type, data: raw.baseAddress!, owner: nil)),
                                   backend: backend)
            }
            let input = try backend.tensor(x, shape: [tokens, inFeatures])
            let out = try backend.allocate(shape: [tokens, outFeatures], dtype: .f32)
            try backend.linear(input, weight: owned, bias: nil, out: out)
            let error = KernelReference.maxRelativeError(try backend.readFloats(out), expected)
            // 8-bit activations cost about 1% of the output range; exact mode is f32 rounding only.
            #expect(error < (exact ? 1e-5 : 2e-2), "type \(type) exact \(exact) error \(error)")
        }
    }

    @Test("Every integer dot-product variant this CPU runs agrees with the portable one", arguments: [DType.q4_0, .q4_1, .q8_0, .q4_K, .q6_K])
    func dotVariants(type: DType) throws {
        let n = 512 + 32 * 3 // an odd block count exercises the unrolled loops' tails
        let count = type.blockElements == 256 ? 768 : n
        let bytes = KernelReference.randomQuantized(type, rows: 1, columns: count, seed: 21)
        let x = KernelReference.randomFloats(count, seed: 22)
        let weights = KernelReference.dequantize(type, bytes, count: count)
        let exact = zip(weights, x).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        let scale = zip(weights, x).reduce(0.0) { $0 + abs(Double($1.0) * Double($1.1)) }
        let results = bytes.withUnsafeBytes { raw in
            (0...Int(llm_best_kernel_variant())).map { llm_qdot_row(type.kernelTypeID, raw.baseAddress, x, Int64(count), Int32($0)) }
        }
        #expect(results.count >= 1)
        for value in results {
            #expect(abs(Double(value) - Double(results[0])) <= 1e-5 * scale, "\(type): variants \(results)")
        }
        #expect(abs(Double(results[0]) - exact) <= 2e-2 * scale, "\(type): \(results[0]) vs exact \(exact)")
    }

    func copyIfBorrowed(_ t: Tensor, backend: CPUBackend) throws -> Tensor {
        let copy = try backend.allocate(shape: t.shape, dtype: t.dtype)
        try copy.cpuPointer("test").copyMemory(from: t.cpuPointer("test"), byteCount: t.byteCount)
        return copy
    }

    /// f16 caches (the fast mode's) are checked against the same sums over the f16-rounded
    /// keys and values.
    /// 3 queries split their heads over the two threads; 8 give each thread several,
    /// each claimed (and its cache rows prefetched) while the one before is attended.
    @Test("paged attention equals dense causal attention with GQA, across block boundaries", arguments: [DType.f32, .f16], [3, 8])
    func attention(cacheType: DType, newTokens: Int) throws {
        let backend = try CPUBackend(options: .init(threads: 2))
        let (qHeads, kvHeads, headDim, blockSize) = (4, 2, 16, 4)
        let context = 11 // the last newTokens of 11 positions are queried
        let kvDim = kvHeads * headDim
        let keys = KernelReference.randomFloats(context * kvDim, seed: 1)
        let values = KernelReference.randomFloats(context * kvDim, seed: 2)
        let queries = KernelReference.randomFloats(newTokens * qHeads * headDim, seed: 3)
        let blockTable: [Int32] = [5, 0, 3] // scattered blocks
        let keyCache = try backend.allocate(shape: [6, blockSize, kvHeads, headDim], dtype: cacheType)
        let valueCache = try backend.allocate(shape: [6, blockSize, kvHeads, headDim], dtype: cacheType)
        let slots = (0..<context).map { blockTable[$0 / blockSize] * Int32(blockSize) + Int32($0 % blockSize) }
        try backend.writeKV(key: backend.tensor(keys, shape: [context, kvDim]), value: backend.tensor(values, shape: [context, kvDim]),
                            keyCache: keyCache, valueCache: valueCache, slotMapping: backend.tensor(slots, shape: [context]))
        let positions = (context - newTokens..<context).map(Int32.init)
        let metadata = AttentionMetadata(
            positions: try backend.tensor(positions, shape: [newTokens]), slotMapping: try backend.tensor(Array(slots.suffix(newTokens)), shape: [newTokens]),
            queryStart: try backend.tensor([0, Int32(newTokens)], shape: [2]), blockTable: try backend.tensor(blockTable, shape: [1, 3]),
            numTokens: newTokens, numSequences: 1, maxContextLength: context)
        let params = AttentionParams(queryHeads: qHeads, kvHeads: kvHeads, headDim: headDim, scale: 0.25)
        let out = try backend.allocate(shape: [newTokens, qHeads * headDim], dtype: .f32)
        try backend.attention(query: backend.tensor(queries, shape: [newTokens, qHeads * headDim]), keyCache: keyCache, valueCache: valueCache,
                              metadata: metadata, params: params, out: out)
        let stored = { (x: [Float]) -> [Float] in cacheType == .f16 ? x.map { Float(Float16($0)) } : x }
        let (cachedKeys, cachedValues) = (stored(keys), stored(values))
        var expected = [Float]()
        for t in 0..<newTokens {
            let pos = Int(positions[t])
            for h in 0..<qHeads {
                let kvh = h / (qHeads / kvHeads)
                let q = Array(queries[(t * qHeads + h) * headDim ..< (t * qHeads + h + 1) * headDim])
                let scores = (0...pos).map { j -> Double in
                    (0..<headDim).reduce(0.0) { $0 + Double(q[$1]) * Double(cachedKeys[j * kvDim + kvh * headDim + $1]) } * 0.25
                }
                let m = scores.max()!
                let e = scores.map { Foundation.exp($0 - m) }
                let sum = e.reduce(0, +)
                for d in 0..<headDim {
                    expected.append(Float((0...pos).reduce(0.0) { $0 + e[$1] / sum * Double(cachedValues[$1 * kvDim + kvh * headDim + d]) }))
                }
            }
        }
        #expect(KernelReference.maxRelativeError(try backend.readFloats(out), expected) < 1e-5)
    }

    /// 70 leaves a tail past the sum of squares' 16-wide steps.
    @Test("RMSNorm with fused residual add", arguments: [64, 70])
    func rmsNorm(dim: Int) throws {
        let backend = try CPUBackend(options: .init(threads: 2))
        let x = KernelReference.randomFloats(3 * dim, seed: 4), r = KernelReference.randomFloats(3 * dim, seed: 5)
        let w = KernelReference.randomFloats(dim, seed: 6)
        let residual = try backend.tensor(r, shape: [3, dim]), out = try backend.allocate(shape: [3, dim], dtype: .f32)
        try backend.rmsNorm(backend.tensor(x, shape: [3, dim]), residual: residual, weight: backend.tensor(w, shape: [dim]), eps: 1e-5, out: out)
        let sum = zip(x, r).map(+)
        var expected = [Float]()
        for t in 0..<3 {
            let row = sum[t * dim ..< (t + 1) * dim]
            let scale = 1 / (row.map { $0 * $0 }.reduce(0, +) / Float(dim) + 1e-5).squareRoot()
            expected += zip(row, w).map { $0 * scale * $1 }
        }
        #expect(try backend.readFloats(residual) == sum)
        #expect(KernelReference.maxRelativeError(try backend.readFloats(out), expected) < 1e-5)
    }

    @Test("Out-of-range token ids and cache slots are errors, not crashes")
    func badIndices() throws {
        let backend = try CPUBackend(options: .init(threads: 1))
        let table = try backend.tensor([Float](repeating: 1, count: 8), shape: [2, 4])
        let out = try backend.allocate(shape: [1, 4], dtype: .f32)
        #expect(throws: RuntimeError.self) { try backend.embedding(ids: backend.tensor([Int32(2)], shape: [1]), table: table, out: out) }
        let cache = try backend.allocate(shape: [1, 2, 1, 4], dtype: .f32)
        #expect(throws: RuntimeError.self) {
            try backend.writeKV(key: out, value: out, keyCache: cache, valueCache: cache, slotMapping: backend.tensor([Int32(2)], shape: [1]))
        }
        #expect(throws: RuntimeError.self) { try backend.linear(out, weight: table, bias: nil, out: out) }
    }
}
