import Foundation
import LLMCheckpoint
import LLMRuntime

/// Gemma 2 and Gemma 3 text models (`Gemma2ForCausalLM`, `Gemma3ForCausalLM`): sandwich
/// norms (each block's input and output normalised), RMSNorm scaling by (1 + w),
/// GELU-tanh gated MLP, embeddings scaled by sqrt(hidden), sliding-window layers with
/// their own RoPE (Gemma 3), attention and final logit soft-capping (Gemma 2), per-head
/// q/k norms (Gemma 3), tied embeddings.
public final class Gemma: CausalLM {
    public let config: GemmaConfig
    public let spec: ModelSpec
    public let backend: any Backend
    let fullRotary: DeviceRotary
    let slidingRotary: DeviceRotary
    let fullAttention: AttentionParams
    let slidingAttention: AttentionParams
    /// sqrt(hidden) in the activation type, as transformers rounds it to the weights' type.
    let embeddingScale: Float
    let embedTokens: Tensor
    let layers: [GemmaLayer]
    let norm: Tensor
    let lmHead: Tensor
    let workspace: DecoderWorkspace

    struct GemmaLayer {
        var inputNorm, postAttentionNorm, preFeedforwardNorm, postFeedforwardNorm: Tensor
        var q, k, v, o: Tensor
        var headNorms: AttentionInputs.HeadNorms?
        var gateUp, down: Tensor
        var sliding: Bool
    }

    public init(config: GemmaConfig, weights: WeightLoader, limits: ForwardLimits) throws {
        self.config = config
        backend = weights.backend
        let c = config
        // HF checkpoints store w and the model computes (1 + w); llama.cpp's converter has
        // already added the 1 to every norm weight of a GGUF file.
        let normOffset: Float = weights.source is GGUFWeightSource ? 0 : 1
        fullRotary = try DeviceRotary(RotaryEmbedding(config: c.fullRoPE, headDim: c.headDim, maxPositions: c.maxPositions),
                                      backend: backend, queryHeads: c.heads, kvHeads: c.kvHeads)
        slidingRotary = c.slidingRoPE == c.fullRoPE ? fullRotary
            : try DeviceRotary(RotaryEmbedding(config: c.slidingRoPE, headDim: c.headDim, maxPositions: c.maxPositions),
                               backend: backend, queryHeads: c.heads, kvHeads: c.kvHeads)
        let scale = Float(1 / c.queryPreAttentionScalar.squareRoot())
        fullAttention = AttentionParams(queryHeads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, scale: scale,
                                        slidingWindow: nil, logitSoftcap: c.attentionLogitSoftcap)
        slidingAttention = AttentionParams(queryHeads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, scale: scale,
                                           slidingWindow: c.slidingWindow, logitSoftcap: c.attentionLogitSoftcap)
        embeddingScale = Self.representable(Float(Double(c.hiddenSize).squareRoot()), in: backend.activationDType)
        let qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim
        weights.expectedCount = 3 + c.layers * (c.hasQKNorm ? 12 : 10)
        embedTokens = try weights.load("model.embed_tokens.weight", shape: [c.vocabSize, c.hiddenSize])
        layers = try (0..<c.layers).map { i in
            let p = "model.layers.\(i)."
            func norm(_ name: String, _ dim: Int) throws -> Tensor { try weights.loadNorm(p + name, dim: dim, adding: normOffset) }
            return GemmaLayer(
                inputNorm: try norm("input_layernorm.weight", c.hiddenSize),
                postAttentionNorm: try norm("post_attention_layernorm.weight", c.hiddenSize),
                preFeedforwardNorm: try norm("pre_feedforward_layernorm.weight", c.hiddenSize),
                postFeedforwardNorm: try norm("post_feedforward_layernorm.weight", c.hiddenSize),
                q: try weights.load(p + "self_attn.q_proj.weight", shape: [qDim, c.hiddenSize]),
                k: try weights.load(p + "self_attn.k_proj.weight", shape: [kvDim, c.hiddenSize]),
                v: try weights.load(p + "self_attn.v_proj.weight", shape: [kvDim, c.hiddenSize]),
                o: try weights.load(p + "self_attn.o_proj.weight", shape: [c.hiddenSize, qDim]),
                headNorms: c.hasQKNorm ? AttentionInputs.HeadNorms(query: try norm("self_attn.q_norm.weight", c.headDim),
                                                                   key: try norm("self_attn.k_norm.weight", c.headDim), eps: c.rmsNormEps) : nil,
                gateUp: try weights.loadStacked([p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight"],
                                                rows: [c.intermediateSize, c.intermediateSize], columns: c.hiddenSize),
                down: try weights.load(p + "mlp.down_proj.weight", shape: [c.hiddenSize, c.intermediateSize]),
                sliding: c.slidingLayers[i])
        }
        norm = try weights.loadNorm("model.norm.weight", dim: c.hiddenSize, adding: normOffset)
        lmHead = try weights.outputHead(tied: c.tieWordEmbeddings, embedding: embedTokens, shape: [c.vocabSize, c.hiddenSize])
        workspace = try DecoderWorkspace(backend: backend, sizes: c.shape.decoderSizes, limits: limits, sandwichNorms: true)
        spec = ModelSpec(architecture: c.architectures.first ?? "Gemma2ForCausalLM", layers: c.layers, hiddenSize: c.hiddenSize,
                         queryHeads: c.heads, kvHeads: c.kvHeads, headDim: c.headDim, vocabSize: c.vocabSize,
                         maxPositions: c.maxPositions, parameterCount: weights.parameterCount,
                         // Full-attention layers read every block, so only an all-sliding config frees any.
                         slidingWindow: c.slidingLayers.allSatisfy { $0 } ? c.slidingWindow : nil)
    }

    public var supportsRecording: Bool {
        fullRotary.isStatic(upTo: config.maxPositions) && slidingRotary.isStatic(upTo: config.maxPositions)
    }

    public func forward(_ batch: ForwardBatch, cache: PagedKVCache) throws -> Tensor {
        let w = try workspace.view(for: batch)
        let eps = config.rmsNormEps
        let fullRope = try fullRotary.params(longestContext: batch.attention.maxContextLength)
        let slidingRope = try slidingRotary.params(longestContext: batch.attention.maxContextLength)
        try backend.embedding(ids: batch.tokenIDs, table: embedTokens, out: w.residual)
        try backend.scale(w.residual, by: embeddingScale, softcap: nil, out: w.residual)
        try backend.rmsNorm(w.residual, residual: nil, weight: layers.first?.inputNorm ?? norm, eps: eps, out: w.normed)
        for (i, layer) in layers.enumerated() {
            try backend.attentionInputs(w.normed, AttentionInputs(
                query: LinearOutput(weight: layer.q, bias: nil, out: w.q), key: LinearOutput(weight: layer.k, bias: nil, out: w.k),
                value: LinearOutput(weight: layer.v, bias: nil, out: w.v), headNorms: layer.headNorms,
                positions: batch.attention.positions, rope: layer.sliding ? slidingRope : fullRope,
                keyCache: cache.keys[i], valueCache: cache.values[i], slotMapping: batch.attention.slotMapping))
            try backend.attention(query: w.q, keyCache: cache.keys[i], valueCache: cache.values[i], metadata: batch.attention,
                                  params: layer.sliding ? slidingAttention : fullAttention, out: w.attention)
            try backend.linear(w.attention, weight: layer.o, bias: nil, out: w.delta)
            // Each block's normalised output joins the residual stream inside the next block's norm.
            try backend.sandwichNorm(w.delta, weight: layer.postAttentionNorm, residual: w.residual, nextWeight: layer.preFeedforwardNorm,
                                     eps: eps, scratch: w.blockOutput, out: w.normed)
            try backend.gatedLinear(w.normed, weight: layer.gateUp, kind: .geluTanh, scratch: w.gateUp, out: w.activated)
            try backend.linear(w.activated, weight: layer.down, bias: nil, out: w.delta)
            try backend.sandwichNorm(w.delta, weight: layer.postFeedforwardNorm, residual: w.residual,
                                     nextWeight: i + 1 < layers.count ? layers[i + 1].inputNorm : norm, eps: eps, scratch: w.blockOutput,
                                     out: w.normed)
        }
        let logits = try backend.logits(of: w.normed, batch: batch, head: lmHead, workspace: w)
        if let cap = config.finalLogitSoftcap, batch.numLogitRows > 0 {
            try backend.scale(logits, by: 1, softcap: cap, out: logits)
        }
        return logits
    }

    /// `value` rounded to the nearest `dtype` value (ties to even), as a tensor of that
    /// type would hold it.
    static func representable(_ value: Float, in dtype: DType) -> Float {
        switch dtype {
        case .bf16:
            let bits = value.bitPattern
            return Float(bitPattern: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000)
        case .f16:
            return Float(Float16(value))
        default:
            return value
        }
    }
}
