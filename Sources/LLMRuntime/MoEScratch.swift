/// The intermediate buffers of one ``Backend/moeExperts(_:gateUp:down:ids:weights:kind:scratch:out:)``
/// call, preallocated by the model for its largest batch (no allocation inside a
/// forward, so a step can be recorded). For `n` tokens, `k` experts per token, `E`
/// experts of width `ff` over `hidden` features, ``init(backend:tokens:topK:experts:ff:hidden:)``
/// allocates them; a smaller step passes ``view(tokens:topK:experts:)``.
public struct MoEScratch {
    /// `[n*k, ff]`, activation type: act(gate) * up of each (token, choice) pair.
    public var activated: Tensor
    /// `[n*k, hidden]`, f32: each pair's expert output before the weighted sum.
    public var expertOutputs: Tensor
    /// i32 `[E * (n + 1)]`: per expert the number of pairs routed to it (the first E
    /// values), then per expert a list of up to n pair indices (t*k + j).
    public var assignments: Tensor

    public init(activated: Tensor, expertOutputs: Tensor, assignments: Tensor) {
        self.activated = activated
        self.expertOutputs = expertOutputs
        self.assignments = assignments
    }

    /// Buffers for up to `tokens` tokens.
    public init(backend: any Backend, tokens: Int, topK: Int, experts: Int, ff: Int, hidden: Int) throws {
        activated = try backend.allocate(shape: [tokens * topK, ff], dtype: backend.activationDType)
        expertOutputs = try backend.allocate(shape: [tokens * topK, hidden], dtype: .f32)
        assignments = try backend.allocate(shape: [experts * (tokens + 1)], dtype: .i32)
    }

    /// The same buffers cut to a step of `tokens` tokens.
    public func view(tokens: Int, topK: Int, experts: Int) -> MoEScratch {
        MoEScratch(activated: activated.rows(0..<(tokens * topK)), expertOutputs: expertOutputs.rows(0..<(tokens * topK)),
                   assignments: assignments.rows(0..<(experts * (tokens + 1))))
    }
}
