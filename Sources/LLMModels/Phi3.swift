import Foundation
import LLMRuntime

/// Phi-3, Phi-3.5 and Phi-4 (`Phi3ForCausalLM`): Llama's decoder with fused projections
/// (`qkv_proj` holds the q, k and v rows; `gate_up_proj` the gate then the up rows),
/// optional partial rotary, LongRoPE scaling and a sliding window on every layer when
/// `sliding_window` is set. The fused q/k/v rows are cut into three zero-copy views at
/// load, and `gate_up_proj` is already the layout the gated MLP reads.
public enum Phi3 {
    /// The HF config: Llama's keys plus Phi-3's window and RoPE rules.
    public struct Config: Decodable, Sendable {
        public var decoder: LlamaConfig

        enum CodingKeys: String, CodingKey { case sliding_window }

        public init(from decoder: Decoder) throws {
            var base = try LlamaConfig(from: decoder)
            // transformers masks by `sliding_window` whenever it is set (no use_sliding_window).
            base.slidingWindow = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(Int.self, forKey: .sliding_window)
            if let window = base.slidingWindow, window <= 0 {
                throw ModelError.invalidConfig(field: "sliding_window", expected: "a positive window or null", found: "\(window)")
            }
            guard [.default, .longrope].contains(base.rope.kind) else {
                throw ModelError.invalidConfig(field: "rope_parameters.rope_type", expected: "default or longrope for Phi-3", found: "'\(base.rope.kind.rawValue)'")
            }
            self.decoder = base
        }
    }

    /// Builds the model from a Phi-3 checkpoint.
    public static func model(config: Config, weights: WeightLoader, limits: ForwardLimits) throws -> Llama {
        try Llama(config: config.decoder, weights: weights, limits: limits, tensorsPerLayer: 5) { c, i in
            try loadLayer(i, config: c, weights: weights)
        }
    }

    static func loadLayer(_ i: Int, config c: LlamaConfig, weights: WeightLoader) throws -> Llama.LlamaLayer {
        let p = "model.layers.\(i)."
        let qDim = c.heads * c.headDim, kvDim = c.kvHeads * c.headDim
        let qkv = try weights.loadSplit(p + "self_attn.qkv_proj.weight", rows: [qDim, kvDim, kvDim], columns: c.hiddenSize)
        return Llama.LlamaLayer(
            inputNorm: try weights.load(p + "input_layernorm.weight", shape: [c.hiddenSize]),
            postAttentionNorm: try weights.load(p + "post_attention_layernorm.weight", shape: [c.hiddenSize]),
            q: qkv[0], k: qkv[1], v: qkv[2],
            o: try weights.load(p + "self_attn.o_proj.weight", shape: [c.hiddenSize, qDim]),
            qBias: nil, kBias: nil, vBias: nil, headNorms: nil,
            mlp: .dense(gateUp: try weights.load(p + "mlp.gate_up_proj.weight", shape: [2 * c.intermediateSize, c.hiddenSize]),
                        down: try weights.load(p + "mlp.down_proj.weight", shape: [c.hiddenSize, c.intermediateSize])))
    }
}
