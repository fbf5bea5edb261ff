/// Shape rules of the mixture-of-experts ops (see ``OpShapes``).
extension OpShapes {
    /// Router logits `[n, E]`, ids and weights `[n, k]` with 1 <= k <= E.
    public static func moeRoute(logits: Tensor, topK: Int, ids: Tensor, weights: Tensor) throws -> (tokens: Int, experts: Int) {
        try require(logits.shape.count == 2, "moeRoute", "logits [n, experts]", "\(logits.shape)")
        let (n, experts) = (logits.shape[0], logits.shape[1])
        try require(topK >= 1 && topK <= experts && experts <= 1024, "moeRoute", "1 <= topK <= experts <= 1024", "topK \(topK), experts \(experts)")
        try require(ids.shape == [n, topK] && weights.shape == [n, topK], "moeRoute", "ids and weights [\(n), \(topK)]",
                    "ids \(ids.shape), weights \(weights.shape)")
        return (n, experts)
    }

    public struct MoEExpertsShape: Equatable, Sendable {
        public var tokens, hidden, ff, experts, topK: Int
    }

    public static func moeExperts(_ x: Tensor, gateUp: Tensor, down: Tensor, ids: Tensor, weights: Tensor,
                                  scratch: MoEScratch, out: Tensor) throws -> MoEExpertsShape {
        try require(gateUp.shape.count == 3 && down.shape.count == 3 && gateUp.shape[1] % 2 == 0, "moeExperts",
                    "gateUp [experts, 2*ff, in], down [experts, in, ff]", "gateUp \(gateUp.shape), down \(down.shape)")
        let (experts, ff, hidden) = (gateUp.shape[0], gateUp.shape[1] / 2, gateUp.shape[2])
        try require(down.shape == [experts, hidden, ff] && experts > 0 && experts <= 1024 && ff > 0 && hidden > 0, "moeExperts",
                    "down [\(experts), \(hidden), \(ff)], 1...1024 experts", "\(down.shape)")
        let n = x.shape.first ?? 0
        let k = ids.shape.count == 2 ? ids.shape[1] : 0
        try require(x.shape == [n, hidden] && out.shape == [n, hidden] && ids.shape == [n, k] && weights.shape == [n, k] && k >= 1 && k <= experts,
                    "moeExperts", "x and out [n, \(hidden)], ids and weights [n, k] with 1 <= k <= \(experts)",
                    "x \(x.shape), out \(out.shape), ids \(ids.shape), weights \(weights.shape)")
        try require(scratch.activated.shape == [n * k, ff] && scratch.expertOutputs.shape == [n * k, hidden]
                    && scratch.assignments.shape == [experts * (n + 1)], "moeExperts",
                    "scratch activated [\(n * k), \(ff)], expertOutputs [\(n * k), \(hidden)], assignments [\(experts * (n + 1))]",
                    "\(scratch.activated.shape), \(scratch.expertOutputs.shape), \(scratch.assignments.shape)")
        return MoEExpertsShape(tokens: n, hidden: hidden, ff: ff, experts: experts, topK: k)
    }
}
