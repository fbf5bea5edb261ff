import Foundation
import LLMCheckpoint
import LLMRuntime

/// The Llama family in one definition: Llama 2/3.x, SmolLM/SmolLM2, Mistral (dense),
/// Qwen2 (q/k/v biases, detected from the weights), Qwen3 (per-head q/k RMSNorm) and,
/// through its own weight map (`Phi3.swift`), Phi-3/Phi-4.
public final class Llama: CausalLM {
    public let config: LlamaConfig
    public let spec: ModelSpec
    public let backend: any Backend
    let rotary: DeviceRotary
    let attentionParams: AttentionParams
    let embedTokens: Tensor
    let layers: [LlamaLayer]
    let norm: Tensor
    let lmHead: Tensor
    let workspace: DecoderWorkspace

    struct LlamaLayer {
        var inputNorm, postAttentionNorm: Tensor
        var q, k, v, o: Tensor
        var qBias, kBias, vBias: Tensor?
        var headNorms: AttentionInputs.HeadNorms?
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
        rotary = try DeviceRotary(RotaryEmbedding(config: c.rope, headDim: c.headDim, maxPositions: c.maxPositions, frequencyFactors: factors),
                                  backend: backend, queryHeads: c.heads, kvHeads: c.kvHeads)
        attentionParams = AttentionParams(queryHeads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim,
                                          scale: 1 / Float(c.headDim).squareRoot(), slidingWindow: c.slidingWindow)
        weights.expectedCount = 3 + c.layers * tensorsPerLayer
        embedTokens = try weights.load("model.embed_tokens.weight", shape: [c.vocabSize, c.hiddenSize])
        layers = try (0..<c.layers).map { try loadLayer(c, $0) }
        norm = try weights.load("model.norm.weight", shape: [c.hiddenSize])
        lmHead = try weights.outputHead(tied: c.tieWordEmbeddings, embedding: embedTokens, shape: [c.vocabSize, c.hiddenSize])
        workspace = try DecoderWorkspace(backend: backend, sizes: c.shape.decoderSizes, limits: limits)
        var modelSpec = ModelSpec(architecture: c.architectures.first ?? "LlamaForCausalLM", layers: c.layers, hiddenSize: c.hiddenSize,
                                  queryHeads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, vocabSize: c.vocabSize,
                                  maxPositions: c.maxPositions, parameterCount: weights.parameterCount, slidingWindow: c.slidingWindow)
        modelSpec.inactiveExpertParameters = layers.reduce(0) { $0 + $1.mlp.unusedParametersPerToken }
        spec = modelSpec
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
            headNorms: hasQKNorm ? AttentionInputs.HeadNorms(query: try weights.load(p + "self_attn.q_norm.weight", shape: [c.headDim]),
                                                             key: try weights.load(p + "self_attn.k_norm.weight", shape: [c.headDim]),
                                                             eps: c.rmsNormEps) : nil,
            mlp: try loadMLP(p))
    }

    /// The gated MLP `mlp.{gate,up,down}_proj` of `intermediate_size` under prefix `p`.
    static func loadDenseMLP(prefix p: String, config c: LlamaConfig, weights: WeightLoader) throws -> FeedForward {
        .dense(gateUp: try weights.loadStacked([p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"],
                                               rows: [c.intermediateSize, c.intermediateSize], columns: c.hiddenSize),
               down: try weights.load(p + "mlp.down_proj.weight", shape: [c.hiddenSize, c.intermediateSize]))
    }

    /// Length-dependent RoPE (dynamic NTK, LongRoPE past its pretraining length) changes
    /// tensors between steps of one shape, so such models run eagerly.
    public var supportsRecording: Bool { rotary.isStatic(upTo: config.maxPositions) }

    public func forward(_ batch: ForwardBatch, cache: PagedKVCache) throws -> Tensor {
        let w = try workspace.view(for: batch)
        let rope = try rotary.params(longestContext: batch.attention.maxContextLength)
        try backend.embedding(ids: batch.tokenIDs, table: embedTokens, out: w.residual)
        for (i, layer) in layers.enumerated() {
            // The previous block's output joins the residual stream inside the norm.
            try backend.rmsNorm(i == 0 ? w.residual : w.delta, residual: i == 0 ? nil : w.residual,
                                weight: layer.inputNorm, eps: config.rmsNormEps, out: w.normed)
            try backend.attentionInputs(w.normed, AttentionInputs(
                query: LinearOutput(weight: layer.q, bias: layer.qBias, out: w.q),
                key: LinearOutput(weight: layer.k, bias: layer.kBias, out: w.k),
                value: LinearOutput(weight: layer.v, bias: layer.vBias, out: w.v),
                headNorms: layer.headNorms, positions: batch.attention.positions, rope: rope,
                keyCache: cache.keys[i], valueCache: cache.values[i], slotMapping: batch.attention.slotMapping))
            try backend.attention(query: w.q, keyCache: cache.keys[i], valueCache: cache.values[i],
                                  metadata: batch.attention, params: attentionParams, out: w.attention)
            try backend.linear(w.attention, weight: layer.o, bias: nil, out: w.delta)
            try backend.rmsNorm(w.delta, residual: w.residual, weight: layer.postAttentionNorm, eps: config.rmsNormEps, out: w.normed)
            try layer.mlp.forward(w.normed, backend: backend, gateUp: w.gateUp, activated: w.activated, out: w.delta)
        }
        try backend.rmsNorm(w.delta, residual: w.residual, weight: norm, eps: config.rmsNormEps, out: w.normed)
        return try backend.logits(of: w.normed, batch: batch, head: lmHead, workspace: w)
    }
}

extension Backend {
    /// The logit rows of a forward: the final hidden states of the rows the batch asks
    /// for, times the output head (f32 `[numLogitRows, vocab]`, empty when none).
    func logits(of hidden: Tensor, batch: ForwardBatch, head: Tensor, workspace w: DecoderWorkspace) throws -> Tensor {
        guard batch.numLogitRows > 0 else { return w.logits }
        try gatherRows(hidden, rows: batch.logitRows, out: w.lastHidden)
        try linear(w.lastHidden, weight: head, bias: nil, out: w.logits)
        return w.logits
    }
}

extension WeightLoader {
    /// `lm_head.weight`, or the embedding table where the model ties them or the
    /// checkpoint has no separate head.
    func outputHead(tied: Bool, embedding: Tensor, shape: [Int]) throws -> Tensor {
        if tied || !has("lm_head.weight", expectedByConfig: true) { return embedding }
        return try load("lm_head.weight", shape: shape)
    }
}
