import LLMCheckpoint
import LLMRuntime

/// A sparse MLP: a router scores the experts per token in f32, the `topK` best run their
/// gated SiLU MLPs, and their outputs are summed with the routing weights.
struct MixtureOfExperts {
    /// `[experts, hidden]`.
    var router: Tensor
    /// `[experts, 2*ff, hidden]`: each expert's gate rows, then its up rows.
    var gateUp: Tensor
    /// `[experts, hidden, ff]`.
    var down: Tensor
    var topK: Int
    /// Whether the chosen experts' probabilities are divided by their sum.
    var normalize: Bool
    let workspace: MoEWorkspace

    func forward(_ x: Tensor, backend: any Backend, out: Tensor) throws {
        let n = x.shape[0]
        let w = workspace.view(tokens: n)
        // Router logits in f32 (DESIGN 3): bf16 logits would pick other experts.
        try backend.linear(x, weight: router, bias: nil, out: w.logits)
        try backend.moeRoute(logits: w.logits, topK: topK, normalize: normalize, ids: w.ids, weights: w.weights)
        try backend.moeExperts(x, gateUp: gateUp, down: down, ids: w.ids, weights: w.weights, kind: .silu, scratch: w.scratch, out: out)
    }

    /// Per-expert tensor names of one layer in a published checkpoint.
    struct ExpertNames {
        /// The router, under the layer prefix.
        var router: String
        /// Expert e's gate, up and down projections, under the layer prefix.
        var expert: (Int) -> (gate: String, up: String, down: String)
    }

    /// Loads one layer's experts under prefix `p` (`model.layers.N.`), in whichever of
    /// three layouts the checkpoint has: transformers 5's fused `mlp.experts.gate_up_proj`
    /// `[E, 2*ff, hidden]` and `mlp.experts.down_proj` (`save_pretrained(...,
    /// save_original_format=False)`, and random weights); GGUF's stacked `ffn_gate_exps` /
    /// `ffn_up_exps` / `ffn_down_exps` (named `mlp.experts.gate_proj` / `up_proj` /
    /// `down_proj` by ``GGUFTensorNames``); or one tensor per expert (`names`: published
    /// checkpoints and what transformers 5.24 writes by default). The fused layouts' router
    /// is `mlp.gate.weight`.
    static func load(_ weights: WeightLoader, prefix p: String, names: ExpertNames, experts: Int, ff: Int, hidden: Int,
                     topK: Int, normalize: Bool, workspace: MoEWorkspace) throws -> MixtureOfExperts {
        let fusedRouter = p + "mlp.gate.weight"
        let routerName = weights.has(fusedRouter, expectedByConfig: true) ? fusedRouter : p + names.router
        let router = try weights.load(routerName, shape: [experts, hidden])
        let gateUp: Tensor
        if weights.has(p + "mlp.experts.gate_up_proj", expectedByConfig: true) {
            gateUp = try weights.load(p + "mlp.experts.gate_up_proj", shape: [experts, 2 * ff, hidden])
        } else if weights.has(p + "mlp.experts.gate_proj", expectedByConfig: false) {
            gateUp = try weights.loadExpertStack([p + "mlp.experts.gate_proj", p + "mlp.experts.up_proj"], experts: experts,
                                                 rows: [ff, ff], columns: hidden)
        } else {
            let parts = (0..<experts).flatMap { e -> [String] in let n = names.expert(e); return [p + n.gate, p + n.up] }
            gateUp = try weights.loadStacked(parts, rows: Array(repeating: ff, count: 2 * experts), columns: hidden)
                .reshaped([experts, 2 * ff, hidden])
        }
        let down: Tensor
        if weights.has(p + "mlp.experts.down_proj", expectedByConfig: true) {
            down = try weights.load(p + "mlp.experts.down_proj", shape: [experts, hidden, ff])
        } else {
            down = try weights.loadStacked((0..<experts).map { p + names.expert($0).down }, rows: Array(repeating: hidden, count: experts),
                                           columns: ff).reshaped([experts, hidden, ff])
        }
        return MixtureOfExperts(router: router, gateUp: gateUp, down: down, topK: topK, normalize: normalize, workspace: workspace)
    }
}

extension MixtureOfExperts {
    /// Llama's decoder (``Llama``) whose layers `isSparse` names route to experts (the
    /// others keep the dense `mlp.{gate,up,down}_proj`), all sharing one workspace.
    static func decoder(config c: LlamaConfig, moe: MoESettings, names: ExpertNames, weights: WeightLoader, limits: ForwardLimits,
                        isSparse: @escaping (Int) -> Bool) throws -> any CausalLM {
        let workspace = try MoEWorkspace(backend: weights.backend, maxTokens: limits.maxTokens, experts: moe.experts, topK: moe.topK,
                                         ff: moe.ff, hidden: c.hiddenSize)
        return try Llama(config: c, weights: weights, limits: limits, tensorsPerLayer: 9 + 3 * moe.experts) { c, i in
            try Llama.loadLayer(i, config: c, weights: weights) { p in
                guard isSparse(i) else { return try Llama.loadDenseMLP(prefix: p, config: c, weights: weights) }
                return .experts(try load(weights, prefix: p, names: names, experts: moe.experts, ff: moe.ff, hidden: c.hiddenSize,
                                         topK: moe.topK, normalize: moe.normalize, workspace: workspace))
            }
        }
    }
}

/// Routing buffers and expert scratch shared by a model's MoE layers (they run one after
/// another), allocated once for the largest batch.
final class MoEWorkspace {
    let logits, ids, weights: Tensor
    let scratch: MoEScratch
    let maxTokens, experts, topK: Int

    init(backend: any Backend, maxTokens: Int, experts: Int, topK: Int, ff: Int, hidden: Int) throws {
        logits = try backend.allocate(shape: [maxTokens, experts], dtype: .f32)
        ids = try backend.allocate(shape: [maxTokens, topK], dtype: .i32)
        weights = try backend.allocate(shape: [maxTokens, topK], dtype: .f32)
        scratch = try MoEScratch(backend: backend, tokens: maxTokens, topK: topK, experts: experts, ff: ff, hidden: hidden)
        (self.maxTokens, self.experts, self.topK) = (maxTokens, experts, topK)
    }

    func view(tokens n: Int) -> (logits: Tensor, ids: Tensor, weights: Tensor, scratch: MoEScratch) {
        (logits.rows(0..<n), ids.rows(0..<n), weights.rows(0..<n), scratch.view(tokens: n, topK: topK, experts: experts))
    }
}
