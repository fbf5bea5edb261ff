/// The sizes every decoder-only HF config states (`hidden_size`, `num_hidden_layers`,
/// heads, ...), read and checked once for all architectures; each architecture's config
/// gives the defaults transformers uses for it.
public struct DecoderShape: Sendable, Equatable {
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

    enum CodingKeys: String, CodingKey {
        case hidden_size, intermediate_size, num_hidden_layers, num_attention_heads, num_key_value_heads, head_dim,
             rms_norm_eps, vocab_size, max_position_embeddings, tie_word_embeddings
    }

    /// `headDim` nil: hidden_size / heads when the config has no `head_dim`.
    init(from decoder: Decoder, headDim defaultHeadDim: Int?, maxPositions defaultMaxPositions: Int, tied defaultTied: Bool) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func positive(_ key: CodingKeys, default value: Int? = nil) throws -> Int {
            guard let found = try c.decodeIfPresent(Int.self, forKey: key) ?? value else {
                throw ModelError.invalidConfig(field: key.rawValue, expected: "an integer", found: "nothing")
            }
            guard found > 0 else { throw ModelError.invalidConfig(field: key.rawValue, expected: "a positive integer", found: "\(found)") }
            return found
        }
        hiddenSize = try positive(.hidden_size)
        intermediateSize = try positive(.intermediate_size)
        layers = try positive(.num_hidden_layers)
        heads = try positive(.num_attention_heads)
        kvHeads = try positive(.num_key_value_heads, default: heads)
        headDim = try positive(.head_dim, default: defaultHeadDim ?? hiddenSize / heads)
        rmsNormEps = try c.decodeIfPresent(Float.self, forKey: .rms_norm_eps) ?? 1e-6
        vocabSize = try positive(.vocab_size)
        maxPositions = try positive(.max_position_embeddings, default: defaultMaxPositions)
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tie_word_embeddings) ?? defaultTied
        guard heads % kvHeads == 0 else {
            throw ModelError.invalidConfig(field: "num_key_value_heads", expected: "a divisor of num_attention_heads (\(heads))", found: "\(kvHeads)")
        }
        guard headDim <= 1024, headDim % 2 == 0 else {
            throw ModelError.invalidConfig(field: "head_dim", expected: "an even size in 2...1024", found: "\(headDim)")
        }
    }

    var decoderSizes: DecoderSizes {
        DecoderSizes(hidden: hiddenSize, queryDim: heads * headDim, kvDim: kvHeads * headDim, intermediate: intermediateSize, vocab: vocabSize)
    }
}
