import LLMCPU
import LLMRuntime

extension SelfTestRunner {
    /// Routing must choose the same experts in the same order (ids exact; f32 weights
    /// within the f32 tolerance), on random logits and on small integers full of ties.
    /// The experts' MLPs: 1 token, many tokens (several passes over an expert's pairs),
    /// odd sizes (the element-wise kernels), many experts, top-k 1, 2 and 8.
    mutating func moeCases() {
        struct Route { var tokens, experts, topK: Int; var normalize, ties: Bool }
        let routes = quick
            ? [Route(tokens: 3, experts: 8, topK: 2, normalize: true, ties: false), Route(tokens: 5, experts: 33, topK: 8, normalize: false, ties: true)]
            : [Route(tokens: 1, experts: 8, topK: 2, normalize: true, ties: false), Route(tokens: 37, experts: 128, topK: 8, normalize: true, ties: false),
               Route(tokens: 64, experts: 60, topK: 1, normalize: false, ties: false), Route(tokens: 300, experts: 256, topK: 8, normalize: false, ties: true),
               Route(tokens: 9, experts: 1024, topK: 32, normalize: true, ties: true), Route(tokens: 5, experts: 7, topK: 7, normalize: false, ties: true)]
        for r in routes {
            let name = "n \(r.tokens) experts \(r.experts) top \(r.topK)\(r.normalize ? " normalised" : "")\(r.ties ? " ties" : "")"
            run("moeRoute", name) { h in
                let values = (0..<(r.tokens * r.experts)).map { _ in r.ties ? Float(h.int(in: -2...2)) : Float.random(in: -6...6, using: &h.rng) }
                let logits = try h.pair(values, shape: [r.tokens, r.experts], candidateType: .f32)
                let ids = try h.pair([Int32](repeating: 0, count: r.tokens * r.topK), shape: [r.tokens, r.topK])
                let weights = try h.outputs(shape: [r.tokens, r.topK], candidateType: .f32)
                try h.reference.moeRoute(logits: logits.ref, topK: r.topK, normalize: r.normalize, ids: ids.ref, weights: weights.ref)
                try h.candidate.moeRoute(logits: logits.cand, topK: r.topK, normalize: r.normalize, ids: ids.cand, weights: weights.cand)
                return [h.compare(op: "moeRoute", name: name + " ids", [try h.read(ids)], precision: .exact, dtype: .f32),
                        h.compare(op: "moeRoute", name: name + " weights", [try h.read(weights)], precision: .rounded, dtype: .f32)]
            }
        }
        struct Experts { var tokens, hidden, ff, experts, topK: Int }
        let shapes = quick
            ? [Experts(tokens: 1, hidden: 64, ff: 40, experts: 4, topK: 2), Experts(tokens: 19, hidden: 36, ff: 20, experts: 6, topK: 3)]
            : [Experts(tokens: 1, hidden: 512, ff: 256, experts: 64, topK: 8), Experts(tokens: 1, hidden: 64, ff: 40, experts: 8, topK: 2),
               Experts(tokens: 37, hidden: 100, ff: 36, experts: 16, topK: 2), Experts(tokens: 64, hidden: 256, ff: 128, experts: 32, topK: 8),
               Experts(tokens: 5, hidden: 64, ff: 40, experts: 4, topK: 1), Experts(tokens: 300, hidden: 128, ff: 64, experts: 8, topK: 2),
               Experts(tokens: 3, hidden: 2048, ff: 768, experts: 16, topK: 8)]
        for s in shapes {
            let name = "n \(s.tokens) hidden \(s.hidden) ff \(s.ff) experts \(s.experts) top \(s.topK)"
            run("moeExperts", name) { h in
                let x = try h.pair(h.values(s.tokens * s.hidden), shape: [s.tokens, s.hidden])
                let gateBound = 2 / Float(s.hidden).squareRoot(), downBound = 1 / Float(s.ff).squareRoot()
                let gateUp = try h.weight(h.weightValues(s.experts * 2 * s.ff * s.hidden, low: -gateBound, high: gateBound),
                                          shape: [s.experts, 2 * s.ff, s.hidden])
                let down = try h.weight(h.weightValues(s.experts * s.hidden * s.ff, low: -downBound, high: downBound), shape: [s.experts, s.hidden, s.ff])
                var chosen: [Int32] = [], shares: [Float] = []
                for _ in 0..<s.tokens {
                    chosen += h.shuffled(Array(0..<s.experts)).prefix(s.topK).map(Int32.init)
                    shares += (0..<s.topK).map { _ in Float.random(in: 0...1, using: &h.rng) }
                }
                let ids = try h.pair(chosen, shape: [s.tokens, s.topK])
                let weights = try h.pair(shares, shape: [s.tokens, s.topK], candidateType: .f32)
                let out = try h.outputs(shape: [s.tokens, s.hidden])
                func scratch(_ b: any Backend) throws -> MoEScratch {
                    try MoEScratch(backend: b, tokens: s.tokens, topK: s.topK, experts: s.experts, ff: s.ff, hidden: s.hidden)
                }
                try h.reference.moeExperts(x.ref, gateUp: gateUp.ref, down: down.ref, ids: ids.ref, weights: weights.ref, kind: .silu,
                                           scratch: scratch(h.reference), out: out.ref)
                try h.candidate.moeExperts(x.cand, gateUp: gateUp.cand, down: down.cand, ids: ids.cand, weights: weights.cand, kind: .silu,
                                           scratch: scratch(h.candidate), out: out.cand)
                // The candidate rounds gate, up and the activated values to its type.
                return h.compare(op: "moeExperts", name: name, [try h.read(out)], precision: .accumulated)
            }
        }
    }
}
