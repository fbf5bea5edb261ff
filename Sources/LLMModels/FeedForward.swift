import LLMRuntime

/// The MLP of a decoder layer: one gated SiLU MLP, or experts a router picks per token.
enum FeedForward {
    /// `gateUp` `[2*ff, hidden]` (gate rows, then up rows), `down` `[hidden, ff]`.
    case dense(gateUp: Tensor, down: Tensor)
    case experts(MixtureOfExperts)

    /// Weights of this MLP a token does not use: the experts its router leaves out.
    var unusedParametersPerToken: Int {
        switch self {
        case .dense: 0
        case let .experts(moe): moe.unusedParametersPerToken
        }
    }

    /// out = MLP(x) for x `[n, hidden]`; `gateUp` `[n, 2*ff]` and `activated` `[n, ff]`
    /// are the dense MLP's workspace.
    func forward(_ x: Tensor, backend: any Backend, gateUp: Tensor, activated: Tensor, out: Tensor) throws {
        switch self {
        case let .dense(weight, down):
            try backend.gatedLinear(x, weight: weight, kind: .silu, scratch: gateUp, out: activated)
            try backend.linear(activated, weight: down, bias: nil, out: out)
        case let .experts(moe):
            try moe.forward(x, backend: backend, out: out)
        }
    }
}
