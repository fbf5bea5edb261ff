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
        hiddenSize = try c.positiveInt(.hidden_size, atMost: Self.largestWidth)
        intermediateSize = try c.positiveInt(.intermediate_size, atMost: Self.largestWidth)
        layers = try c.positiveInt(.num_hidden_layers, atMost: Self.largestLayerCount)
        heads = try c.positiveInt(.num_attention_heads, atMost: Self.largestWidth)
        kvHeads = try c.positiveInt(.num_key_value_heads, default: heads, atMost: Self.largestWidth)
        headDim = try c.positiveInt(.head_dim, default: defaultHeadDim ?? hiddenSize / heads, atMost: 1024)
        rmsNormEps = try c.decodeIfPresent(Float.self, forKey: .rms_norm_eps) ?? 1e-6
        guard rmsNormEps >= 0 else {
            throw ModelError.invalidConfig(field: "rms_norm_eps", expected: "a number >= 0", found: "\(rmsNormEps)")
        }
        vocabSize = try c.positiveInt(.vocab_size, atMost: Self.largestVocabulary)
        maxPositions = try c.positiveInt(.max_position_embeddings, default: defaultMaxPositions, atMost: Int(Int32.max))
        tieWordEmbeddings = try c.decodeIfPresent(Bool.self, forKey: .tie_word_embeddings) ?? defaultTied
        guard heads % kvHeads == 0 else {
            throw ModelError.invalidConfig(field: "num_key_value_heads", expected: "a divisor of num_attention_heads (\(heads))", found: "\(kvHeads)")
        }
        guard headDim % 2 == 0 else {
            throw ModelError.invalidConfig(field: "head_dim", expected: "an even size in 2...1024", found: "\(headDim)")
        }
    }

    /// Bounds far above any released model that keep every size product (weights,
    /// caches, dummy allocations) inside Int and allocation failures typed: a corrupt
    /// count is an error naming its field, not a crash allocating per-layer state.
    static let largestLayerCount = 1024
    static let largestVocabulary = 1 << 24
    /// Hidden and feed-forward widths and head counts.
    static let largestWidth = 1 << 20

    var decoderSizes: DecoderSizes {
        DecoderSizes(hidden: hiddenSize, queryDim: heads * headDim, kvDim: kvHeads * headDim, intermediate: intermediateSize, vocab: vocabSize)
    }
}

extension KeyedDecodingContainer {
    /// A positive integer up to `limit` (`fallback` when the key is absent), or a typed
    /// error naming the key when it is missing without a fallback or out of range.
    func positiveInt(_ key: Key, default fallback: Int? = nil, atMost limit: Int) throws -> Int {
        let decoded: Int?
        do {
            decoded = try decodeIfPresent(Int.self, forKey: key)
        } catch {
            // A string or a list: the config decoder names the path.
            if case DecodingError.typeMismatch = error { throw error }
            // A number no Int holds (64.5, 1e30), which Linux's JSONDecoder reports as
            // corrupt data without its key.
            let number = (try? decodeIfPresent(Double.self, forKey: key)) ?? nil
            throw ModelError.invalidConfig(field: key.stringValue, expected: "an integer in 1...\(limit)",
                                           found: number.map { "\($0)" } ?? "another kind of value")
        }
        guard let value = decoded ?? fallback else {
            throw ModelError.invalidConfig(field: key.stringValue, expected: "an integer", found: "nothing")
        }
        guard value > 0, value <= limit else {
            throw ModelError.invalidConfig(field: key.stringValue, expected: "an integer in 1...\(limit)", found: "\(value)")
        }
        return value
    }
}
