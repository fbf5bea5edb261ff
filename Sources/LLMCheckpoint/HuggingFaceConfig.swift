/// The fields of an HF `config.json` that a GGUF file's metadata determines.
struct HuggingFaceConfig: Encodable, Equatable {
    struct RopeScaling: Encodable, Equatable {
        var type: String
        var ropeType: String
        var factor: Double?
        var originalMaxPositionEmbeddings: Int?
        /// LongRoPE (Phi-3): llama.cpp stores the factors as tensors and the cos/sin scale.
        var shortFactor: [Double]? = nil
        var longFactor: [Double]? = nil
        var attentionFactor: Double? = nil

        enum CodingKeys: String, CodingKey {
            case type, factor
            case ropeType = "rope_type"
            case originalMaxPositionEmbeddings = "original_max_position_embeddings"
            case shortFactor = "short_factor"
            case longFactor = "long_factor"
            case attentionFactor = "attention_factor"
        }
    }

    var architectures: [String]
    var modelType: String
    var hiddenSize: Int
    var intermediateSize: Int
    var numHiddenLayers: Int
    var numAttentionHeads: Int
    var numKeyValueHeads: Int
    var headDim: Int
    var rmsNormEps: Double
    var ropeTheta: Double
    var maxPositionEmbeddings: Int
    var vocabSize: Int
    var tieWordEmbeddings: Bool
    var bosTokenID: Int?
    var eosTokenID: Int?
    var hiddenAct: String
    var attentionBias: Bool?
    var ropeScaling: RopeScaling?
    /// Mixture-of-experts keys (absent for dense models).
    var numExperts: Int? = nil
    var numLocalExperts: Int? = nil
    var numExpertsPerTok: Int? = nil
    var moeIntermediateSize: Int? = nil
    var normTopkProb: Bool? = nil
    var mlpOnlyLayers: [Int]? = nil
    // Gemma 2/3 and Phi-3 keys; nil ones are left out of the JSON.
    var slidingWindow: Int? = nil
    var layerTypes: [String]? = nil
    var queryPreAttnScalar: Double? = nil
    var attnLogitSoftcapping: Double? = nil
    var finalLogitSoftcapping: Double? = nil
    var ropeLocalBaseFreq: Double? = nil
    var partialRotaryFactor: Double? = nil
    var originalMaxPositionEmbeddings: Int? = nil

    enum CodingKeys: String, CodingKey {
        case architectures
        case modelType = "model_type"
        case hiddenSize = "hidden_size"
        case intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers"
        case numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads"
        case headDim = "head_dim"
        case rmsNormEps = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case maxPositionEmbeddings = "max_position_embeddings"
        case vocabSize = "vocab_size"
        case tieWordEmbeddings = "tie_word_embeddings"
        case bosTokenID = "bos_token_id"
        case eosTokenID = "eos_token_id"
        case hiddenAct = "hidden_act"
        case attentionBias = "attention_bias"
        case ropeScaling = "rope_scaling"
        case numExperts = "num_experts"
        case numLocalExperts = "num_local_experts"
        case numExpertsPerTok = "num_experts_per_tok"
        case moeIntermediateSize = "moe_intermediate_size"
        case normTopkProb = "norm_topk_prob"
        case mlpOnlyLayers = "mlp_only_layers"
        case slidingWindow = "sliding_window"
        case layerTypes = "layer_types"
        case queryPreAttnScalar = "query_pre_attn_scalar"
        case attnLogitSoftcapping = "attn_logit_softcapping"
        case finalLogitSoftcapping = "final_logit_softcapping"
        case ropeLocalBaseFreq = "rope_local_base_freq"
        case partialRotaryFactor = "partial_rotary_factor"
        case originalMaxPositionEmbeddings = "original_max_position_embeddings"
    }
}
