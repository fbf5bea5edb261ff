/// The HF config of Gemma 2 (`gemma2`) and Gemma 3 text models (`gemma3_text`), with the
/// transformers defaults of each: Gemma 2 caps attention logits at 50 and final logits
/// at 30 and alternates sliding and full layers; Gemma 3 has per-head q/k norms, no caps,
/// one full layer in `sliding_window_pattern` (6) and its own RoPE for sliding layers.
/// Sizes are read through `shape` (`config.hiddenSize` is `config.shape.hiddenSize`).
@dynamicMemberLookup
public struct GemmaConfig: Decodable, Sendable {
    public enum Family: String, Sendable {
        case gemma2, gemma3
    }

    public var family: Family
    public var architectures: [String]
    public var shape: DecoderShape
    /// Attention scores are scaled by `query_pre_attn_scalar`^-1/2, not head_dim^-1/2.
    public var queryPreAttentionScalar: Double
    public var attentionLogitSoftcap: Float?
    public var finalLogitSoftcap: Float?
    public var slidingWindow: Int?
    /// Per layer: whether it attends within `slidingWindow` (`sliding_attention`).
    public var slidingLayers: [Bool]
    /// RoPE of full-attention layers and of sliding layers (the same for Gemma 2).
    public var fullRoPE: RoPEConfig
    public var slidingRoPE: RoPEConfig

    /// Whether layers normalise q and k per head (Gemma 3).
    public var hasQKNorm: Bool { family == .gemma3 }

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<DecoderShape, T>) -> T {
        get { shape[keyPath: keyPath] }
        set { shape[keyPath: keyPath] = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case architectures, model_type, query_pre_attn_scalar, attn_logit_softcapping, final_logit_softcapping, sliding_window, layer_types,
             sliding_window_pattern, hidden_activation, hidden_act, use_bidirectional_attention
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        /// A cap that defaults to `value` when absent; an explicit null means none.
        func softcap(_ key: CodingKeys, default value: Float?) throws -> Float? {
            let cap = c.contains(key) ? try c.decodeIfPresent(Float.self, forKey: key) : value
            if let cap, !(cap > 0) { throw ModelError.invalidConfig(field: key.rawValue, expected: "a positive cap or null", found: "\(cap)") }
            return cap
        }
        let modelType = try c.decodeIfPresent(String.self, forKey: .model_type) ?? "gemma2"
        switch modelType {
        case "gemma2": family = .gemma2
        case "gemma3_text", "gemma3": family = .gemma3
        default: throw ModelError.invalidConfig(field: "model_type", expected: "gemma2 or gemma3_text", found: "'\(modelType)'")
        }
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures) ?? [family == .gemma2 ? "Gemma2ForCausalLM" : "Gemma3ForCausalLM"]
        shape = try DecoderShape(from: decoder, headDim: 256, maxPositions: family == .gemma2 ? 8192 : 131_072, tied: true)
        queryPreAttentionScalar = try c.decodeIfPresent(Double.self, forKey: .query_pre_attn_scalar) ?? 256
        attentionLogitSoftcap = try softcap(.attn_logit_softcapping, default: family == .gemma2 ? 50 : nil)
        finalLogitSoftcap = try softcap(.final_logit_softcapping, default: family == .gemma2 ? 30 : nil)
        slidingWindow = c.contains(.sliding_window) ? try c.decodeIfPresent(Int.self, forKey: .sliding_window) : 4096
        if let window = slidingWindow, window <= 0 {
            throw ModelError.invalidConfig(field: "sliding_window", expected: "a positive window or null", found: "\(window)")
        }
        if try c.decodeIfPresent(Bool.self, forKey: .use_bidirectional_attention) == true {
            throw ModelError.invalidConfig(field: "use_bidirectional_attention", expected: "false (causal decoding)", found: "true")
        }
        let activation = try c.decodeIfPresent(String.self, forKey: .hidden_activation)
            ?? c.decodeIfPresent(String.self, forKey: .hidden_act) ?? "gelu_pytorch_tanh"
        guard activation == "gelu_pytorch_tanh" else {
            throw ModelError.invalidConfig(field: "hidden_activation", expected: "gelu_pytorch_tanh", found: "'\(activation)'")
        }
        if let types = try c.decodeIfPresent([String].self, forKey: .layer_types) {
            guard types.count == shape.layers else {
                throw ModelError.invalidConfig(field: "layer_types", expected: "\(shape.layers) entries (num_hidden_layers)", found: "\(types.count)")
            }
            slidingLayers = try types.map { type in
                guard type == "sliding_attention" || type == "full_attention" else {
                    throw ModelError.invalidConfig(field: "layer_types", expected: "sliding_attention or full_attention", found: "'\(type)'")
                }
                return type == "sliding_attention"
            }
        } else {
            // transformers' defaults: Gemma 2 slides on even layers, Gemma 3 on all but every `pattern`-th.
            let pattern = family == .gemma2 ? 2 : try c.decodeIfPresent(Int.self, forKey: .sliding_window_pattern) ?? 6
            guard pattern > 0 else { throw ModelError.invalidConfig(field: "sliding_window_pattern", expected: "a positive period", found: "\(pattern)") }
            slidingLayers = (0..<shape.layers).map { ($0 + 1) % pattern != 0 }
        }
        switch family {
        case .gemma2:
            fullRoPE = try RoPEConfig(from: decoder)
            slidingRoPE = fullRoPE
        case .gemma3:
            (fullRoPE, slidingRoPE) = try RoPEConfig.perLayerType(from: decoder, localThetaKey: "rope_local_base_freq",
                                                                  defaultTheta: (full: 1_000_000, sliding: 10_000))
        }
        guard queryPreAttentionScalar > 0 else {
            throw ModelError.invalidConfig(field: "query_pre_attn_scalar", expected: "a positive number", found: "\(queryPreAttentionScalar)")
        }
    }

}
