import Foundation
import LLMCPU
import LLMRuntime

/// Attention cases: K/V written into a paged cache (through scattered, non-contiguous
/// blocks), then N new query tokens per sequence attend to their history.
struct AttentionScenario {
    var name: String
    var headDim: Int
    var queryHeads: Int
    var kvHeads: Int
    var blockSize = 16
    /// (cached tokens, new tokens) per sequence.
    var sequences: [(history: Int, new: Int)]
    var window: Int? = nil
    var softcap: Float? = nil
    /// Rotate q/k with `ropeAndWriteKV` instead of plain `writeKV`.
    var fusedRope = false
    /// The cache's element type; nil: the activation type.
    var cacheType: DType? = nil
}

extension SelfTestRunner {
    mutating func attentionCases() {
        let histories = quick ? [0, 15, 16, 40] : [0, 15, 16, 255, 1000, 4095]
        var scenarios: [AttentionScenario] = [
            // Decode: one new token per sequence, contexts 1...4096 crossing block boundaries.
            AttentionScenario(name: "decode d128 gqa4 ctx 1..\(histories.last! + 1)", headDim: 128, queryHeads: 32, kvHeads: 8,
                              sequences: histories.map { ($0, 1) }),
            AttentionScenario(name: "decode d64 gqa1", headDim: 64, queryHeads: 8, kvHeads: 8, sequences: [(3, 1), (100, 1), (600, 1)]),
            AttentionScenario(name: "decode d128 gqa8", headDim: 128, queryHeads: 16, kvHeads: 2, sequences: [(10, 1), (2048, 1)]),
            AttentionScenario(name: "decode d128 gqa32 (head chunks)", headDim: 128, queryHeads: 32, kvHeads: 1, sequences: [(77, 1), (520, 1)]),
            AttentionScenario(name: "decode d64 kv1 ctx 5000 (80 partitions)", headDim: 64, queryHeads: 2, kvHeads: 1, sequences: [(4999, 1)]),
            AttentionScenario(name: "decode d64 window 100", headDim: 64, queryHeads: 8, kvHeads: 2, sequences: [(50, 1), (150, 1), (1000, 1)], window: 100),
            AttentionScenario(name: "decode d128 softcap 2", headDim: 128, queryHeads: 8, kvHeads: 4, sequences: [(300, 1), (1200, 1)], softcap: 2),
            AttentionScenario(name: "decode d80 gqa2", headDim: 80, queryHeads: 4, kvHeads: 2, sequences: [(33, 1), (700, 1)]),
            AttentionScenario(name: "decode d256 gqa2 block 32", headDim: 256, queryHeads: 8, kvHeads: 4, blockSize: 32, sequences: [(5, 1), (600, 1)]),
            AttentionScenario(name: "decode d16 fused rope", headDim: 16, queryHeads: 4, kvHeads: 2, sequences: [(9, 1), (40, 1)], fusedRope: true),
            // Prefill: N new tokens per sequence, with and without cached history, batched.
            AttentionScenario(name: "prefill d128 gqa4 N=1,7,64,300", headDim: 128, queryHeads: 32, kvHeads: 8,
                              sequences: [(0, 1), (0, 7), (0, 64), (0, 300)]),
            AttentionScenario(name: "prefill d128 gqa4 N=1,7,64,300 +history", headDim: 128, queryHeads: 32, kvHeads: 8,
                              sequences: [(50, 1), (13, 7), (100, 64), (37, 300)]),
            AttentionScenario(name: "prefill d64 gqa1 N=300", headDim: 64, queryHeads: 4, kvHeads: 4, sequences: [(0, 300)]),
            AttentionScenario(name: "prefill d128 gqa8 mixed decode", headDim: 128, queryHeads: 16, kvHeads: 2,
                              sequences: [(500, 1), (20, 90), (1000, 1)]),
            // Mixed: leading one-token sequences take the decode kernel, the rest prefill.
            AttentionScenario(name: "mixed d128 gqa4 3 decodes + 2 prompts", headDim: 128, queryHeads: 32, kvHeads: 8,
                              sequences: [(700, 1), (40, 1), (2000, 1), (0, 50), (30, 7)]),
            AttentionScenario(name: "mixed d256 gqa2 window 100 softcap 3", headDim: 256, queryHeads: 8, kvHeads: 4,
                              sequences: [(300, 1), (5, 1), (60, 80), (400, 1)], window: 100, softcap: 3),
            AttentionScenario(name: "prefill d64 window 64 softcap 5", headDim: 64, queryHeads: 8, kvHeads: 2,
                              sequences: [(100, 300), (0, 70)], window: 64, softcap: 5),
            AttentionScenario(name: "prefill d80 gqa2", headDim: 80, queryHeads: 4, kvHeads: 2, sequences: [(10, 33), (0, 100)]),
            AttentionScenario(name: "prefill d96 gqa3", headDim: 96, queryHeads: 6, kvHeads: 2, sequences: [(7, 65)]),
            AttentionScenario(name: "prefill d256 gqa2 block 32", headDim: 256, queryHeads: 4, kvHeads: 2, blockSize: 32, sequences: [(40, 100), (0, 3)]),
            AttentionScenario(name: "prefill d32 fused rope", headDim: 32, queryHeads: 4, kvHeads: 1, sequences: [(5, 20), (0, 9)], fusedRope: true),
        ]
        // The same shapes over an e4m3 cache: the stores' rounding and both read paths.
        if harness.candidate.kvCacheDTypes.contains(.f8_e4m3) {
            let e4m3Shapes = ["decode d128 gqa4", "decode d64 window", "decode d256", "decode d80", "prefill d128 gqa4 N=1,7,64,300 +history",
                              "prefill d64 window", "prefill d256", "prefill d80", "mixed d128", "mixed d256"]
            scenarios += scenarios.filter { s in !s.fusedRope && e4m3Shapes.contains { s.name.hasPrefix($0) } }.map { s in
                var s = s
                s.name = "e4m3 cache " + s.name
                s.cacheType = .f8_e4m3
                return s
            }
        }
        if quick {
            scenarios = scenarios.map { s in
                var s = s
                s.sequences = s.sequences.map { (min($0.history, 64), min($0.new, 24)) }
                let group = min(s.queryHeads / s.kvHeads, 4)
                s.kvHeads = min(s.kvHeads, 2)
                s.queryHeads = s.kvHeads * group
                return s
            }
        }
        for scenario in scenarios {
            run("attention", scenario.name) { h in try Self.attention(scenario, &h) }
        }
    }

    /// Runs one scenario on both backends; rows for the cache write and the attention.
    static func attention(_ s: AttentionScenario, _ h: inout SelfTestHarness) throws -> [SelfTestRow] {
        let d = s.headDim, kvDim = s.kvHeads * d, qDim = s.queryHeads * d
        // Scattered block tables over a shuffled pool with a few spare blocks.
        let needed = s.sequences.map { ($0.history + $0.new + s.blockSize - 1) / s.blockSize }
        let totalBlocks = needed.reduce(0, +) + 3
        var pool = h.shuffled(Array(0..<totalBlocks))
        let maxBlocks = max(needed.max() ?? 1, 1)
        var table = [Int32](repeating: 0, count: s.sequences.count * maxBlocks)
        for (i, n) in needed.enumerated() {
            for b in 0..<n { table[i * maxBlocks + b] = Int32(pool.removeLast()) }
        }
        var positions: [Int32] = [], slots: [Int32] = [], queryStart: [Int32] = [0]
        for (i, seq) in s.sequences.enumerated() {
            for p in seq.history..<(seq.history + seq.new) {
                positions.append(Int32(p))
                slots.append(table[i * maxBlocks + p / s.blockSize] * Int32(s.blockSize) + Int32(p % s.blockSize))
            }
            queryStart.append(Int32(positions.count))
        }
        let n = positions.count
        let cacheShape = [totalBlocks, s.blockSize, s.kvHeads, d]
        let cacheCount = cacheShape.reduce(1, *)
        let cacheType = s.cacheType ?? h.activationType
        let stored = { (values: [Float]) in values.map { ElementConversion.rounded($0, to: cacheType) } }
        let keyCache = try h.pair(stored(h.values(cacheCount)), shape: cacheShape, candidateType: cacheType)
        let valueCache = try h.pair(stored(h.values(cacheCount)), shape: cacheShape, candidateType: cacheType)
        let q = try h.pair(h.values(n * qDim), shape: [n, qDim])
        // The reference stores the new keys and values as the candidate's cache keeps them.
        func newRows() throws -> (ref: Tensor, cand: Tensor) {
            let values = h.values(n * kvDim)
            return (try h.reference.tensor(stored(values), shape: [n, kvDim]), try h.pair(values, shape: [n, kvDim]).cand)
        }
        let k = try newRows(), v = try newRows()
        let pos = try h.pair(positions, shape: [n])
        let slotMapping = try h.pair(slots, shape: [n])
        let starts = try h.pair(queryStart, shape: [s.sequences.count + 1])
        let blockTable = try h.pair(table, shape: [s.sequences.count, maxBlocks])
        let maxContext = s.sequences.map { $0.history + $0.new }.max() ?? 1
        let params = AttentionParams(queryHeads: s.queryHeads, kvHeads: s.kvHeads, headDim: d, scale: 1 / Float(d).squareRoot(),
                                     slidingWindow: s.window, logitSoftcap: s.softcap)
        let freqs = (0..<(d / 2)).map { Float(1 / pow(10000, Double(2 * $0) / Double(d))) }
        let out = try h.outputs(shape: [n, qDim])

        func step(_ b: any Backend, _ t: (q: Tensor, k: Tensor, v: Tensor, pos: Tensor, slots: Tensor, starts: Tensor, table: Tensor,
                                          keys: Tensor, values: Tensor, out: Tensor)) throws {
            if s.fusedRope {
                let rope = RotaryParams(inverseFrequencies: try b.tensor(freqs, shape: [freqs.count]), headDim: d, rotaryDim: d,
                                        queryHeads: s.queryHeads, kvHeads: s.kvHeads, attentionScale: 1)
                try b.ropeAndWriteKV(q: t.q, k: t.k, v: t.v, positions: t.pos, rope: rope, keyCache: t.keys, valueCache: t.values, slotMapping: t.slots)
            } else {
                try b.writeKV(key: t.k, value: t.v, keyCache: t.keys, valueCache: t.values, slotMapping: t.slots)
            }
            let metadata = AttentionMetadata(positions: t.pos, slotMapping: t.slots, queryStart: t.starts, blockTable: t.table,
                                             numTokens: n, numSequences: s.sequences.count, maxContextLength: maxContext,
                                             leadingDecodeSequences: s.sequences.prefix { $0.new == 1 }.count)
            try b.attention(query: t.q, keyCache: t.keys, valueCache: t.values, metadata: metadata, params: params, out: t.out)
        }
        try step(h.reference, (q.ref, k.ref, v.ref, pos.ref, slotMapping.ref, starts.ref, blockTable.ref, keyCache.ref, valueCache.ref, out.ref))
        try step(h.candidate, (q.cand, k.cand, v.cand, pos.cand, slotMapping.cand, starts.cand, blockTable.cand, keyCache.cand, valueCache.cand, out.cand))

        let writeOp = s.fusedRope ? "ropeAndWriteKV" : "writeKV"
        var cacheOutputs = [try h.read(keyCache), try h.read(valueCache)]
        if s.fusedRope { cacheOutputs.append(try h.read(q)) }
        return [
            // An e4m3 store must give the host's rounding bit for bit: e4m3's steps near zero
            // are finer than a bf16 tolerance of the output scale would notice.
            h.compare(op: writeOp, name: s.name, cacheOutputs, precision: s.fusedRope ? .rounded : .exact,
                      dtype: cacheType == .f8_e4m3 ? .f32 : nil),
            h.compare(op: "attention", name: s.name, [try h.read(out)], precision: .accumulated),
        ]
    }
}
