import CLLMKernels
import LLMRuntime
import Testing

/// The interleaved GEMM exists for AVX-512 VNNI and for AVX2 on one repacked layout. The
/// two form the same exact integer sums (AVX2 splits Q8_0's bytes into nibbles) and run
/// the same float operations lane for lane, so where the CPU has both they must agree bit
/// for bit; each agrees with a f64 reference to the 8-bit activations' error.
@Suite("Interleaved quantised GEMM")
struct InterleavedKernelTests {
    @Test("AVX2 and AVX-512 VNNI kernels agree bit for bit and match a reference", arguments: [DType.q4_0, .q4_1, .q8_0], [1, 3, 4, 9])
    func variants(type: DType, tokens: Int) throws {
        let (rows, inFeatures) = (32, 320)
        let bytes = KernelReference.randomQuantized(type, rows: rows, columns: inFeatures, seed: 31)
        let repackedBytes = llm_interleaved_bytes(type.kernelTypeID, Int64(rows), Int64(inFeatures))
        // A CPU without AVX2 has no interleaved kernel at all.
        guard repackedBytes > 0 else { return }
        var repacked = [UInt8](repeating: 0, count: repackedBytes)
        let made = bytes.withUnsafeBytes { w in
            repacked.withUnsafeMutableBytes { llm_interleave_weights(type.kernelTypeID, w.baseAddress, Int64(rows), Int64(inFeatures), $0.baseAddress) }
        }
        #expect(made)
        let x = KernelReference.randomFloats(tokens * inFeatures, seed: 32)
        var outputs = [[Float]]()
        for variant in [LLM_KERNELS_AVX2, LLM_KERNELS_VNNI] {
            var out = [Float](repeating: .nan, count: tokens * rows)
            let ran = repacked.withUnsafeBytes { w in
                llm_interleaved_product(Int32(variant), type.kernelTypeID, w.baseAddress, Int64(rows), Int64(inFeatures), x, Int64(tokens), &out)
            }
            if ran { outputs.append(out) }
        }
        #expect(!outputs.isEmpty)
        if outputs.count == 2 {
            #expect(outputs[0].map(\.bitPattern) == outputs[1].map(\.bitPattern))
        }
        let weights = KernelReference.dequantize(type, bytes, count: rows * inFeatures)
        let expected = KernelReference.matmul(x, tokens: tokens, weights, outFeatures: rows, inFeatures: inFeatures)
        for out in outputs {
            let error = KernelReference.maxRelativeError(out, expected)
            #expect(error < 2e-2, "type \(type) tokens \(tokens) error \(error)")
        }
    }

    @Test("Q8_0's extreme bytes against extreme activations sum without saturating", arguments: [Int8(127), -128])
    func extremes(value: Int8) throws {
        let (rows, inFeatures, tokens) = (16, 64, 4)
        // Every block: scale 1 (f16 0x3C00), then 32 equal bytes.
        var bytes = [UInt8]()
        for _ in 0..<(rows * inFeatures / 32) { bytes += [0x00, 0x3C] + [UInt8](repeating: UInt8(bitPattern: value), count: 32) }
        let repackedBytes = llm_interleaved_bytes(DType.q8_0.kernelTypeID, Int64(rows), Int64(inFeatures))
        guard repackedBytes > 0 else { return }
        var repacked = [UInt8](repeating: 0, count: repackedBytes)
        _ = bytes.withUnsafeBytes { w in
            repacked.withUnsafeMutableBytes { llm_interleave_weights(DType.q8_0.kernelTypeID, w.baseAddress, Int64(rows), Int64(inFeatures), $0.baseAddress) }
        }
        // Equal positive activations quantise to 127 each.
        let x = [Float](repeating: 0.5, count: tokens * inFeatures)
        for variant in [LLM_KERNELS_AVX2, LLM_KERNELS_VNNI] {
            var out = [Float](repeating: .nan, count: tokens * rows)
            let ran = repacked.withUnsafeBytes { w in
                llm_interleaved_product(Int32(variant), DType.q8_0.kernelTypeID, w.baseAddress, Int64(rows), Int64(inFeatures), x, Int64(tokens), &out)
            }
            guard ran else { continue }
            let expected = Float(value) * 0.5 * Float(inFeatures)
            #expect(out.allSatisfy { abs($0 - expected) <= abs(expected) * 1e-5 }, "variant \(variant): \(out.prefix(4)) against \(expected)")
        }
    }

    /// Blocks are quantised eight at a time (their maxima reduced together) and the rest
    /// one at a time; both must give the scalar definition's bytes, scales and sums.
    @Test("Activation rows quantise to the scalar definition bit for bit", arguments: [1, 7, 8, 9, 17, 48])
    func activationQuantisation(blocks: Int) throws {
        guard llm_has_avx2() else { return }
        let n = 32 * blocks
        var x = KernelReference.randomFloats(n, seed: UInt64(40 + blocks), scale: 3)
        for j in 0..<32 { x[j] = 0 }                              // a zero block
        if blocks > 1 { for j in 32..<64 { x[j] = 127 * Float(j % 3 - 1) } } // values on the grid
        var row = [UInt8](repeating: 0, count: llm_q8_split_row_bytes(Int64(n)))
        row.withUnsafeMutableBytes { llm_quantize_q8_split(x, Int64(n), $0.baseAddress) }
        var bytes = [UInt8](), scales = [UInt32](), sums = [UInt32]()
        for b in 0..<blocks {
            let block = x[(32 * b)..<(32 * b + 32)]
            let d = block.map(abs).max()! / 127, inverse: Float = d > 0 ? 1 / d : 0
            let q = block.map { Int32(($0 * inverse).rounded(.toNearestOrEven)) }
            bytes += q.map { UInt8(bitPattern: Int8($0)) }
            scales.append(d.bitPattern)
            sums.append((d * Float(q.reduce(0, +))).bitPattern)
        }
        let floats = row.withUnsafeBytes { raw in (0..<(2 * blocks)).map { raw.load(fromByteOffset: n + 4 * $0, as: UInt32.self) } }
        #expect(Array(row[0..<n]) == bytes)
        #expect(Array(floats[0..<blocks]) == scales)
        #expect(Array(floats[blocks...]) == sums)
    }
}
