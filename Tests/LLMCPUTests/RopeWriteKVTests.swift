import Foundation
import LLMRuntime
import Testing
@testable import LLMCPU

/// The CPU's fused `ropeAndWriteKV` takes each step's angles from a small table shared by
/// the layers (``RopeAngleTable``). It must equal `rope` then `writeKV` bit for bit, and
/// never hand back the angles of other positions, frequencies or scales.
@Suite("Fused rotary embedding and cache write")
struct RopeWriteKVTests {
    @Test("ropeAndWriteKV equals rope then writeKV, call after call", arguments: [DType.f32, .f16])
    func fusedEqualsSeparate(cacheType: DType) throws {
        let backend = try CPUBackend(options: .init(threads: 2))
        let (qHeads, kvHeads, headDim, blockSize) = (4, 2, 16, 4)
        let kvDim = kvHeads * headDim
        // Six frequency sets: two alternate as local and global layers do, and more than the table keeps.
        let frequencySets = (0..<6).map { set in
            (0..<(headDim / 2)).map { Float(1 / pow(10_000 * Double(set + 1), Double(2 * $0) / Double(headDim))) }
        }
        let calls: [(positions: [Int32], set: Int, scale: Float)] = [
            ([0, 1, 2], 0, 1), ([0, 1, 2], 1, 1), ([0, 1, 2], 0, 1), ([5, 9, 70_000], 0, 1), ([5, 9, 70_000], 0, 0.5),
            ([3], 2, 1), ([3], 3, 1), ([3], 4, 1), ([3], 5, 1), ([3], 0, 1), ([0, 1, 2], 1, 1), ([4, 3], 1, 1),
        ]
        for (i, call) in calls.enumerated() {
            let tokens = call.positions.count
            let q = KernelReference.randomFloats(tokens * qHeads * headDim, seed: UInt64(10 + i))
            let k = KernelReference.randomFloats(tokens * kvDim, seed: UInt64(40 + i))
            let v = KernelReference.randomFloats(tokens * kvDim, seed: UInt64(70 + i))
            let slots = Array([Int32(7), 2, 12].prefix(tokens))
            let rope = RotaryParams(inverseFrequencies: try backend.tensor(frequencySets[call.set], shape: [headDim / 2]), headDim: headDim,
                                    rotaryDim: headDim, queryHeads: qHeads, kvHeads: kvHeads, attentionScale: call.scale)
            func run(fused: Bool) throws -> [[UInt8]] {
                let (qt, kt, vt) = (try backend.tensor(q, shape: [tokens, qHeads * headDim]), try backend.tensor(k, shape: [tokens, kvDim]),
                                    try backend.tensor(v, shape: [tokens, kvDim]))
                let keyCache = try backend.allocate(shape: [4, blockSize, kvHeads, headDim], dtype: cacheType)
                let valueCache = try backend.allocate(shape: [4, blockSize, kvHeads, headDim], dtype: cacheType)
                let (positions, slotMapping) = (try backend.tensor(call.positions, shape: [tokens]), try backend.tensor(slots, shape: [tokens]))
                if fused {
                    try backend.ropeAndWriteKV(q: qt, k: kt, v: vt, positions: positions, rope: rope, keyCache: keyCache, valueCache: valueCache,
                                               slotMapping: slotMapping)
                } else {
                    try backend.rope(q: qt, k: kt, positions: positions, rope: rope)
                    try backend.writeKV(key: kt, value: vt, keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping)
                }
                return try [qt, kt, keyCache, valueCache].map { tensor in
                    var bytes = [UInt8](repeating: 0, count: tensor.byteCount)
                    try bytes.withUnsafeMutableBytes { try backend.read(tensor, into: $0) }
                    return bytes
                }
            }
            #expect(try run(fused: true) == run(fused: false), "call \(i): positions \(call.positions), set \(call.set)")
        }
    }

    @Test("A slot outside the cache is an error before anything is written")
    func slotOutsideCache() throws {
        let backend = try CPUBackend(options: .init(threads: 1))
        let rope = RotaryParams(inverseFrequencies: try backend.tensor([1, 0.1], shape: [2]), headDim: 4, rotaryDim: 4, queryHeads: 1,
                                kvHeads: 1, attentionScale: 1)
        let x = try backend.tensor([Float](repeating: 1, count: 8), shape: [2, 4])
        let cache = try backend.allocate(shape: [1, 2, 1, 4], dtype: .f32)
        #expect(throws: RuntimeError.self) {
            try backend.ropeAndWriteKV(q: x, k: x, v: x, positions: backend.tensor([Int32(0), 1], shape: [2]), rope: rope, keyCache: cache,
                                       valueCache: cache, slotMapping: backend.tensor([Int32(1), 2], shape: [2]))
        }
        #expect(try backend.readFloats(cache) == [Float](repeating: 0, count: 8))
    }
}
