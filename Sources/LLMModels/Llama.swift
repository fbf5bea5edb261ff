import Foundation
import LLMCheckpoint
import LLMRuntime

/// The Llama family in one definition: Llama 2/3.x, SmolLM/SmolLM2, Mistral (dense),
/// Qwen2 (q/k/v biases, detected from the weights) and Qwen3 (per-head q/k RMSNorm).
public final class Llama: CausalLM {
    public let config: LlamaConfig
    public let spec: ModelSpec
    public let backend: any Backend
    let rotary: RotaryEmbedding
    let inverseFrequencies: Tensor
    let attentionParams: AttentionParams
    let embedTokens: Tensor
    let layers: [LlamaLayer]
    let norm: Tensor
    let lmHead: Tensor
    let workspace: LlamaWorkspace

    struct LlamaLayer {
        var inputNorm, postAttentionNorm: Tensor
        var q, k, v, o: Tensor
        var qBias, kBias, vBias: Tensor?
        var qNorm, kNorm: Tensor?
        var mlp: FeedForward
    }

    /// Loads a checkpoint in Llama's tensor names.
    public convenience init(config: LlamaConfig, weights: WeightLoader, limits: ForwardLimits) throws {
        try self.init(config: config, weights: weights, limits: limits, tensorsPerLayer: 9) { c, i in
            try Self.loadLayer(i, config: c, weights: weights) { try Self.loadDenseMLP(prefix: $0, config: c, weights: weights) }
        }
    }

    /// Builds the model with `loadLayer` reading each layer's weights (architectures whose
    /// checkpoints name or fuse them differently, or route tokens to experts).
    init(config: LlamaConfig, weights: WeightLoader, limits: ForwardLimits, tensorsPerLayer: Int,
         loadLayer: (LlamaConfig, Int) throws -> LlamaLayer) throws {
        self.config = config
        backend = weights.backend
        let c = config
        let factors = try weights.source.flatMap { $0.contains("rope_freqs.weight") ? try $0.dequantized("rope_freqs.weight") : nil }
        rotary = try RotaryEmbedding(config: c.rope, headDim: c.headDim, maxPositions: c.maxPositions, frequencyFactors: factors)
        inverseFrequencies = try backend.tensor(rotary.inverseFrequencies, shape: [rotary.inverseFrequencies.count])
        attentionParams = AttentionParams(queryHeads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim,
                                          scale: 1 / Float(c.headDim).squareRoot(), slidingWindow: c.slidingWindow)
        weights.expectedCount = 3 + c.layers * tensorsPerLayer
        embedTokens = try weights.load("model.embed_tokens.weight", shape: [c.vocabSize, c.hiddenSize])
        layers = try (0..<c.layers).map { try loadLayer(c, $0) }
        norm = try weights.load("model.norm.weight", shape: [c.hiddenSize])
        if c.tieWordEmbeddings || !weights.has("lm_head.weight", expectedByConfig: true) {
            lmHead = embedTokens
        } else {
            lmHead = try weights.load("lm_head.weight", shape: [c.vocabSize, c.hiddenSize])
        }
        workspace = try LlamaWorkspace(backend: backend, config: c, limits: limits)
        spec = ModelSpec(architecture: c.architectures.first ?? "LlamaForCausalLM", layers: c.layers, hiddenSize: c.hiddenSize,
                         queryHeads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, vocabSize: c.vocabSize,
                         maxPositions: c.maxPositions, parameterCount: weights.parameterCount)
    }

    /// One layer under Llama's names (Qwen2 biases and Qwen3 q/k norms when present) with
    /// the MLP `loadMLP` reads under the layer's prefix `model.layers.N.`.
    static func loadLayer(_ i: Int, config c: LlamaConfig, weights: WeightLoader, loadMLP: (String) throws -> FeedForward) throws -> LlamaLayer {
        let p = "model.layers.\(i)."
        let qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim
        let hasQKNorm = weights.has(p + "self_attn.q_norm.weight", expectedByConfig: c.hasQKNorm)
        let hasBias = weights.has(p + "self_attn.q_proj.bias", expectedByConfig: c.attentionBias)
        return LlamaLayer(
            inputNorm: try weights.load(p + "input_layernorm.weight", shape: [c.hiddenSize]),
            postAttentionNorm: try weights.load(p + "post_attention_layernorm.weight", shape: [c.hiddenSize]),
            q: try weights.load(p + "self_attn.q_proj.weight", shape: [qDim, c.hiddenSize]),
            k: try weights.load(p + "self_attn.k_proj.weight", shape: [kvDim, c.hiddenSize]),
            v: try weights.load(p + "self_attn.v_proj.weight", shape: [kvDim, c.hiddenSize]),
            o: try weights.load(p + "self_attn.o_proj.weight", shape: [c.hiddenSize, qDim]),
            qBias: hasBias ? try weights.load(p + "self_attn.q_proj.bias", shape: [qDim]) : nil,
            kBias: hasBias ? try weights.load(p + "self_attn.k_proj.bias", shape: [kvDim]) : nil,
            vBias: hasBias ? try weights.load(p + "self_attn.v_proj.bias", shape: [kvDim]) : nil,
            qNorm: hasQKNorm ? try weights.load(p + "self_attn.q_norm.weight", shape: [c.headDim]) : nil,
            kNorm: hasQKNorm ? try weights.load(p + "self_attn.k_norm.weight", shape: [c.headDim]) : nil,
            mlp: try loadMLP(p))
    }

    /// The gated MLP `mlp.{gate,up,down}_proj` of `intermediate_size` under prefix `p`.
    static func loadDenseMLP(prefix p: String, config c: LlamaConfig, weights: WeightLoader) throws -> FeedForward {
        .dense(gateUp: try weights.loadStacked([p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"],
                                               rows: [c.intermediateSize, c.intermediateSize], columns: c.hiddenSize),
               down: try weights.load(p + "mlp.down_proj.weight", shape: [c.hiddenSize, c.intermediateSize]))
    }

    /// Dynamic NTK scaling uploads new frequencies as contexts grow, so it runs eagerly.
    public var supportsRecording: Bool { config.rope.kind != .dynamic }

    public func forward(_ batch: ForwardBatch, cache: PagedKVCache) throws -> Tensor {
        let n = batch.numTokens, m = batch.numLogitRows
        guard n <= workspace.limits.maxTokens else { throw ModelError.batchTooLarge(field: "tokens", limit: workspace.limits.maxTokens, requested: n) }
        guard m <= workspace.limits.maxLogitRows else { throw ModelError.batchTooLarge(field: "logit rows", limit: workspace.limits.maxLogitRows, requested: m) }
        let w = workspace.view(tokens: n, logitRows: m)
        let rope = try rotaryParams(for: batch)
        try backend.embedding(ids: batch.tokenIDs, table: embedTokens, out: w.residual)
        for (i, layer) in layers.enumerated() {
            // The previous block's output joins the residual stream inside the norm.
            try backend.rmsNorm(i == 0 ? w.residual : w.delta, residual: i == 0 ? nil : w.residual,
                                weight: layer.inputNorm, eps: config.rmsNormEps, out: w.normed)
            try backend.linear(w.normed, into: [LinearOutput(weight: layer.q, bias: layer.qBias, out: w.q),
                                                LinearOutput(weight: layer.k, bias: layer.kBias, out: w.k),
                                                LinearOutput(weight: layer.v, bias: layer.vBias, out: w.v)])
            if let qNorm = layer.qNorm, let kNorm = layer.kNorm {
                try backend.rmsNormHeads(w.q, weight: qNorm, eps: config.rmsNormEps)
                try backend.rmsNormHeads(w.k, weight: kNorm, eps: config.rmsNormEps)
            }
            try backend.ropeAndWriteKV(q: w.q, k: w.k, v: w.v, positions: batch.attention.positions, rope: rope,
                                       keyCache: cache.keys[i], valueCache: cache.values[i], slotMapping: batch.attention.slotMapping)
            try backend.attention(query: w.q, keyCache: cache.keys[i], valueCache: cache.values[i],
                                  metadata: batch.attention, params: attentionParams, out: w.attention)
            try backend.linear(w.attention, weight: layer.o, bias: nil, out: w.delta)
            try backend.rmsNorm(w.delta, residual: w.residual, weight: layer.postAttentionNorm, eps: config.rmsNormEps, out: w.normed)
            try layer.mlp.forward(w.normed, backend: backend, gateUp: w.gateUp, activated: w.activated, out: w.delta)
        }
        try backend.rmsNorm(w.delta, residual: w.residual, weight: norm, eps: config.rmsNormEps, out: w.normed)
        guard m > 0 else { return w.logits }
        try backend.gatherRows(w.normed, rows: batch.logitRows, out: w.lastHidden)
        try backend.linear(w.lastHidden, weight: lmHead, bias: nil, out: w.logits)
        return w.logits
    }

    private func rotaryParams(for batch: ForwardBatch) throws -> RotaryParams {
        var freqs = inverseFrequencies
        if config.rope.kind == .dynamic, batch.attention.maxContextLength > config.maxPositions {
            let values = rotary.frequencies(forSequenceLength: batch.attention.maxContextLength)
            freqs = try backend.tensor(values, shape: [values.count])
        }
        return RotaryParams(inverseFrequencies: freqs, headDim: config.headDim, rotaryDim: rotary.rotaryDim,
                            queryHeads: config.heads, kvHeads: config.kvHeads, attentionScale: rotary.attentionScale)
    }
}

/// Activation buffers allocated once for the largest batch.
struct LlamaWorkspace {
    let limits: ForwardLimits
    let residual, normed, q, k, v, attention, delta, gateUp, activated, lastHidden, logits: Tensor

    init(backend: any Backend, config c: LlamaConfig, limits: ForwardLimits) throws {
        self.limits = limits
        let t = limits.maxTokens, dtype = backend.activationDType
        func buffer(_ rows: Int, _ cols: Int) throws -> Tensor { try backend.allocate(shape: [rows, cols], dtype: dtype) }
        residual = try buffer(t, c.hiddenSize)
        normed = try buffer(t, c.hiddenSize)
        q = try buffer(t, c.heads * c.headDim)
        k = try buffer(t, c.kvHeads * c.headDim)
        v = try buffer(t, c.kvHeads * c.headDim)
        attention = try buffer(t, c.heads * c.headDim)
        delta = try buffer(t, c.hiddenSize)
        gateUp = try buffer(t, 2 * c.intermediateSize)
        activated = try buffer(t, c.intermediateSize)
        lastHidden = try buffer(limits.maxLogitRows, c.hiddenSize)
        // Logits stay f32 on every backend: sampling decisions are made in f32.
        logits = try backend.allocate(shape: [limits.maxLogitRows, c.vocabSize], dtype: .f32)
    }

    /// The same buffers cut to this step's sizes.
    func view(tokens n: Int, logitRows m: Int) -> LlamaWorkspace {
        LlamaWorkspace(limits: limits, residual: residual.rows(0..<n), normed: normed.rows(0..<n), q: q.rows(0..<n),
                       k: k.rows(0..<n), v: v.rows(0..<n), attention: attention.rows(0..<n), delta: delta.rows(0..<n),
                       gateUp: gateUp.rows(0..<n), activated: activated.rows(0..<n),
                       lastHidden: lastHidden.rows(0..<m), logits: logits.rows(0..<m))
    }

    private init(limits: ForwardLimits, residual: Tensor, normed: Tensor, q: Tensor, k: Tensor, v: Tensor, attention: Tensor,
                 delta: Tensor, gateUp: Tensor, activated: Tensor, lastHidden: Tensor, logits: Tensor) {
        self.limits = limits
        self.residual = residual; self.normed = normed; self.q = q; self.k = k; self.v = v
        self.attention = attention; self.delta = delta; self.gateUp = gateUp; self.activated = activated
        self.lastHidden = lastHidden; self.logits = logits
    }
}
