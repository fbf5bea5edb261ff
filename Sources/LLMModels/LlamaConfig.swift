/// The HF config of the Llama family (Llama 2/3.x, SmolLM, Mistral dense, Qwen2, Qwen3):
/// the keys these architectures share, with their transformers defaults.
public struct LlamaConfig: Decodable, Sendable {
    public var architectures: [String]
    public var modelType: String
    public var hiddenSize: Int
    public var intermediateSize: Int
    public var layers: Int
    public var heads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var rmsNormEps: Float
    public var vocabSize: Int
    public var maxPositions: Int
    public var tieWordEmbeddings: Bool
    public var slidingWindow: Int?
    /// Biases on the q/k/v projections (`attention_bias`; always for Qwen2).
    public var attentionBias: Bool
    public var hiddenAct: String
    public var rope: RoPEConfig

    enum CodingKeys: String, CodingKey {
        case architectures, model_type, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
             num_key_value_heads, head_dim, rms_norm_eps, vocab_size, max_position_embeddings,
             tie_word_embeddings, sliding_window, use_sliding_window, hidden_act, attention_bias
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func required(_ key: CodingKeys) throws -> Int {
            guard let value = try c.decodeIfPresent(Int.self, forKey: key) else {
                throw ModelError.invalidConfig(field: key.rawValue, expected: "an integer", found: "nothing")
            }
            guard value > 0 else { throw ModelError.invalidConfig(field: key.rawValue, expected: "a positive integer", found: "\(value)") }
            return value
        }
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures) ?? ["LlamaForCausalLM"]
        modelType = try c.decodeIfPresent(String.self, forKey: .model_type) ?? "llama"
        hiddenSize = try required(.hidden_size)
        intermediateSize = try required(.intermediate_size)
        layers = try required(.num_hidden_layers)
        heads = try required(.num_attention_heads)
        kvHeads = try c.decodeIfPresent(Int.self, forKey: .num_key_value_heads) ?? heads
        headDim = try c.decodeIfPresent(Int.self, forKey: .head_dim) ?? hiddenSize / heads
        rmsNormEps = try c.decodeIfPresent(Float.self, forKey: .rms_norm_eps) ?? 1e-6
        vocabSize = try required(.vocab_size)
        maxPositions = try c.decodeIfPresent(Int.self, forKey: .max_position_embeddings) ?? 2048
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tie_word_embeddings) ?? false
        hiddenAct = try c.decodeIfPresent(String.self, forKey: .hidden_act) ?? "silu"
        attentionBias = try c.decodeIfPresent(Bool.self, forKey: .attention_bias) ?? (modelType == "qwen2")
        // Mistral and Mixtral apply their window whenever one is set; Qwen2 only when asked to.
        let window = try c.decodeIfPresent(Int.self, forKey: .sliding_window)
        let useWindow = try c.decodeIfPresent(Bool.self, forKey: .use_sliding_window) ?? ["mistral", "mixtral"].contains(modelType)
        slidingWindow = useWindow ? window : nil
        rope = try RoPEConfig(from: decoder)
        guard kvHeads > 0, heads % kvHeads == 0 else {
            throw ModelError.invalidConfig(field: "num_key_value_heads", expected: "a divisor of num_attention_heads (\(heads))", found: "\(kvHeads)")
        }
        guard headDim > 0, headDim <= 1024, headDim % 2 == 0 else {
            throw ModelError.invalidConfig(field: "head_dim", expected: "an even size in 2...1024", found: "\(headDim)")
        }
        guard ["silu", "swish"].contains(hiddenAct) else {
            throw ModelError.invalidConfig(field: "hidden_act", expected: "silu", found: "'\(hiddenAct)'")
        }
    }
}

extension LlamaConfig {
    /// Whether the architecture normalises each query and key head (Qwen3, Qwen3-MoE).
    var hasQKNorm: Bool { ["qwen3", "qwen3_moe"].contains(modelType) }
}
