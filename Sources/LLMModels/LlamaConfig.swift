/// The HF config of the Llama family (Llama 2/3.x, SmolLM, Mistral dense, Qwen2, Qwen3):
/// the keys these architectures share, with their transformers defaults. Sizes are read
/// through `shape` (`config.hiddenSize` is `config.shape.hiddenSize`).
@dynamicMemberLookup
public struct LlamaConfig: Decodable, Sendable {
    public var architectures: [String]
    public var modelType: String
    public var shape: DecoderShape
    public var slidingWindow: Int?
    /// Biases on the q/k/v projections (`attention_bias`; always for Qwen2).
    public var attentionBias: Bool
    public var hiddenAct: String
    public var rope: RoPEConfig

    public subscript<T>(dynamicMember keyPath: WritableKeyPath<DecoderShape, T>) -> T {
        get { shape[keyPath: keyPath] }
        set { shape[keyPath: keyPath] = newValue }
    }

    enum CodingKeys: String, CodingKey {
        case architectures, model_type, sliding_window, use_sliding_window, hidden_act, attention_bias
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures) ?? ["LlamaForCausalLM"]
        modelType = try c.decodeIfPresent(String.self, forKey: .model_type) ?? "llama"
        shape = try DecoderShape(from: decoder, headDim: nil, maxPositions: 2048, tied: false)
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hidden_act) ?? "silu"
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attention_bias) ?? (modelType == "qwen2")
        // Mistral and Mixtral apply their window whenever one is set; Qwen2 only when asked to.
        let window = try c.decodeIfPresent(Int.self, forKey: .sliding_window)
        let useWindow = try c.decodeIfPresent(Bool.self, forKey: .use_sliding_window) ?? ["mistral", "mixtral"].contains(modelType)
        slidingWindow = useWindow ? window : nil
        rope = try RoPEConfig(from: decoder)
        guard ["silu", "swish"].contains(hiddenAct) else {
            throw ModelError.invalidConfig(field: "hidden_act", expected: "silu", found: "'\(hiddenAct)'")
        }
    }
}

extension LlamaConfig {
    /// Whether the architecture normalises each query and key head (Qwen3, Qwen3-MoE).
    var hasQKNorm: Bool { ["qwen3", "qwen3_moe"].contains(modelType) }
}
