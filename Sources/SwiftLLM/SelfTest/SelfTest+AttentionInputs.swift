import Foundation
import LLMRuntime

/// `attentionInputs` cases: the candidate's op (fused where its kernel takes the shape)
/// against the reference's separate ops, and against the candidate's own separate ops,
/// which a fused kernel must reproduce bit for bit.
struct AttentionInputScenario {
    var name: String
    var hidden: Int
    var queryHeads: Int
    var kvHeads: Int
    var headDim: Int
    var rotaryDim: Int
    var tokens = 1
    var bias = false
    var headNorms = false
    var attentionScale: Float = 1
    /// Leave the (first) token's slot at -1: computed but not stored.
    var skipStore = false
}

extension SelfTestRunner {
    mutating func attentionInputCases() {
        var scenarios = [
            AttentionInputScenario(name: "llama d128 q8/kv2", hidden: 1024, queryHeads: 8, kvHeads: 2, headDim: 128, rotaryDim: 128),
            AttentionInputScenario(name: "qwen2 d64 q4/kv2 +bias", hidden: 512, queryHeads: 4, kvHeads: 2, headDim: 64, rotaryDim: 64, bias: true),
            AttentionInputScenario(name: "qwen3 d128 q16/kv4 +norms", hidden: 1024, queryHeads: 16, kvHeads: 4, headDim: 128, rotaryDim: 128,
                                   headNorms: true),
            AttentionInputScenario(name: "d96 rot 64 +norms scale 1.1 slot -1", hidden: 256, queryHeads: 4, kvHeads: 4, headDim: 96,
                                   rotaryDim: 64, headNorms: true, attentionScale: 1.1, skipStore: true),
            AttentionInputScenario(name: "d64 rot 20 +norms", hidden: 256, queryHeads: 4, kvHeads: 2, headDim: 64,
                                   rotaryDim: 20, headNorms: true),
            AttentionInputScenario(name: "d256 q4/kv1 +norms", hidden: 512, queryHeads: 4, kvHeads: 1, headDim: 256, rotaryDim: 256, headNorms: true),
            AttentionInputScenario(name: "3 tokens +norms +bias", hidden: 512, queryHeads: 8, kvHeads: 2, headDim: 64, rotaryDim: 64, tokens: 3,
                                   bias: true, headNorms: true),
        ]
        if quick {
            scenarios = scenarios.map { s in
                var s = s
                s.hidden = min(s.hidden, 128)
                s.queryHeads = min(s.queryHeads, 4)
                s.kvHeads = min(s.kvHeads, s.queryHeads)
                return s
            }
        }
        for scenario in scenarios {
            run("attentionInputs", scenario.name) { h in try Self.attentionInputs(scenario, &h) }
        }
    }

    static func attentionInputs(_ s: AttentionInputScenario, _ h: inout SelfTestHarness) throws -> [SelfTestRow] {
        let n = s.tokens, d = s.headDim, qDim = s.queryHeads * d, kvDim = s.kvHeads * d
        let blockSize = 16, blocks = 4
        let cacheShape = [blocks, blockSize, s.kvHeads, d]
        let cacheValues = h.values(cacheShape.reduce(1, *))
        let x = try h.pair(h.values(n * s.hidden), shape: [n, s.hidden])
        let bound = 1 / Float(s.hidden).squareRoot()
        var weights: [(ref: Tensor, cand: Tensor)] = [], biases: [(ref: Tensor, cand: Tensor)?] = []
        for rows in [qDim, kvDim, kvDim] {
            weights.append(try h.weight(h.weightValues(rows * s.hidden, low: -bound, high: bound), shape: [rows, s.hidden]))
            biases.append(s.bias ? try h.weight(h.weightValues(rows, low: -0.5, high: 0.5), shape: [rows]) : nil)
        }
        let norms = s.headNorms ? (q: try h.weight(h.weightValues(d, low: 0.5, high: 1.5), shape: [d]),
                                   k: try h.weight(h.weightValues(d, low: 0.5, high: 1.5), shape: [d])) : nil
        let freqs = (0..<(s.rotaryDim / 2)).map { Float(1 / pow(1_000_000, Double(2 * $0) / Double(s.rotaryDim))) }
        let positions = (0..<n).map { _ in Int32(h.int(in: 0..<40_000)) }
        var slots = h.shuffled(Array(0..<Int32(blocks * blockSize))).prefix(n).map { $0 }
        if s.skipStore { slots[0] = -1 }
        let pos = try h.pair(positions, shape: [n])
        let slotMapping = try h.pair(slots, shape: [n])

        /// One run's outputs q, k, v and its caches.
        struct Run { var q, k, v, keys, values: Tensor }
        /// Runs the op on the reference (`onReference`) or the candidate, fused or as the separate ops.
        func run(onReference: Bool, composed: Bool, caches: (ref: Tensor, cand: Tensor)...) throws -> Run {
            func side(_ p: (ref: Tensor, cand: Tensor)) -> Tensor { onReference ? p.ref : p.cand }
            let b: any Backend = onReference ? h.reference : h.candidate
            let outputs = try [qDim, kvDim, kvDim].map { side(try h.outputs(shape: [n, $0])) }
            let products = (0..<3).map { LinearOutput(weight: side(weights[$0]), bias: biases[$0].map(side), out: outputs[$0]) }
            let rope = RotaryParams(inverseFrequencies: try b.tensor(freqs, shape: [freqs.count]), headDim: d, rotaryDim: s.rotaryDim,
                                    queryHeads: s.queryHeads, kvHeads: s.kvHeads, attentionScale: s.attentionScale)
            let inputs = AttentionInputs(
                query: products[0], key: products[1], value: products[2],
                headNorms: norms.map { .init(query: side($0.q), key: side($0.k), eps: 1e-6) },
                positions: side(pos), rope: rope, keyCache: side(caches[0]), valueCache: side(caches[1]), slotMapping: side(slotMapping))
            if composed { try b.composedAttentionInputs(side(x), inputs) } else { try b.attentionInputs(side(x), inputs) }
            return Run(q: outputs[0], k: outputs[1], v: outputs[2], keys: side(caches[0]), values: side(caches[1]))
        }
        let first = (try h.pair(cacheValues, shape: cacheShape), try h.pair(cacheValues, shape: cacheShape))
        let second = (try h.pair(cacheValues, shape: cacheShape), try h.pair(cacheValues, shape: cacheShape))
        let ref = try run(onReference: true, composed: true, caches: first.0, first.1)
        let cand = try run(onReference: false, composed: false, caches: first.0, first.1)
        let separate = try run(onReference: false, composed: true, caches: second.0, second.1)
        func read(_ t: Tensor, _ b: any Backend) throws -> [Float] { try SelfTestHarness.read(t, on: b) }
        let pairs: [(ref: [Float], cand: [Float])] = try zip([ref.q, ref.k, ref.v, ref.keys, ref.values],
                                                             [cand.q, cand.k, cand.v, cand.keys, cand.values]).map {
            (try read($0.0, h.reference), try read($0.1, h.candidate))
        }
        let identical: [(ref: [Float], cand: [Float])] = try zip([separate.q, separate.k, separate.v, separate.keys, separate.values],
                                                                 [cand.q, cand.k, cand.v, cand.keys, cand.values]).map {
            (try read($0.0, h.candidate), try read($0.1, h.candidate))
        }
        return [
            h.compare(op: "attentionInputs", name: s.name, pairs, precision: .accumulated),
            h.compare(op: "attentionInputs = separate ops", name: s.name, identical, precision: .exact),
        ]
    }
}
