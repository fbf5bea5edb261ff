/// The sections of a Hugging Face `tokenizer.json`, decoded as written. Components are
/// decoded by their `type`; types SwiftLLM does not implement decode as `.unsupported`
/// so that loading can name them (see `TokenizerJSON+Components.swift`).
struct TokenizerJSON: Decodable {
    var addedTokens: [AddedTokenJSON]
    var normalizer: NormalizerJSON?
    var preTokenizer: PreTokenizerJSON?
    var model: ModelJSON
    var postProcessor: PostProcessorJSON?
    var decoder: DecoderJSON?

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        addedTokens = try c.value("added_tokens", default: [])
        normalizer = try c.decodeIfPresent(NormalizerJSON.self, forKey: "normalizer")
        preTokenizer = try c.decodeIfPresent(PreTokenizerJSON.self, forKey: "pre_tokenizer")
        model = try c.decode(ModelJSON.self, forKey: "model")
        postProcessor = try c.decodeIfPresent(PostProcessorJSON.self, forKey: "post_processor")
        self.decoder = try c.decodeIfPresent(DecoderJSON.self, forKey: "decoder")
    }
}

/// One entry of `added_tokens`.
struct AddedTokenJSON: Decodable {
    var id: Int
    var content: String
    var singleWord: Bool
    var lstrip: Bool
    var rstrip: Bool
    var normalized: Bool
    var special: Bool

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        id = try c.decode(Int.self, forKey: "id")
        content = try c.decode(String.self, forKey: "content")
        singleWord = try c.value("single_word", default: false)
        lstrip = try c.value("lstrip", default: false)
        rstrip = try c.value("rstrip", default: false)
        special = try c.value("special", default: false)
        normalized = try c.value("normalized", default: !special)
    }
}

/// `model`.
struct ModelJSON: Decodable {
    var type: String?
    var merges: [MergeRule]?
    var dropout: Double?
    var unkToken: String?
    var continuingSubwordPrefix: String?
    var endOfWordSuffix: String?
    var fuseUnk: Bool
    var byteFallback: Bool
    var ignoreMerges: Bool

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        type = try c.decodeIfPresent(String.self, forKey: "type")
        // Only BPE's fields are read; other model types are rejected by name at load.
        guard type == nil || type == "BPE" else {
            fuseUnk = false
            byteFallback = false
            ignoreMerges = false
            return
        }
        // `vocab` is read by `VocabJSONScanner`, which keeps canonically equivalent keys apart.
        merges = try MergesJSON.decode(from: c, forKey: "merges")
        dropout = try c.decodeIfPresent(Double.self, forKey: "dropout")
        unkToken = try c.decodeIfPresent(String.self, forKey: "unk_token")
        continuingSubwordPrefix = try c.decodeIfPresent(String.self, forKey: "continuing_subword_prefix")
        endOfWordSuffix = try c.decodeIfPresent(String.self, forKey: "end_of_word_suffix")
        fuseUnk = try c.value("fuse_unk", default: false)
        byteFallback = try c.value("byte_fallback", default: false)
        ignoreMerges = try c.value("ignore_merges", default: false)
    }
}

/// The merges list: `"a b"` strings (older files) or `["a", "b"]` pairs (newer files, whose
/// tokens may hold spaces). The whole list is decoded in one format, then the other.
enum MergesJSON {
    static func decode(from c: KeyedDecodingContainer<JSONKey>, forKey key: JSONKey) throws -> [MergeRule] {
        func corrupted(_ index: Int, _ message: String) -> DecodingError {
            .dataCorrupted(.init(codingPath: c.codingPath + [key, JSONIndexKey(index)], debugDescription: message))
        }
        if let lines = try? c.decode([String].self, forKey: key) {
            return try lines.enumerated().map { index, line in
                let parts = line.split(separator: " ", omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw corrupted(index, "merge \(line.debugDescription) is not two tokens separated by one space")
                }
                return MergeRule(left: String(parts[0]), right: String(parts[1]))
            }
        }
        let pairs = try c.decode([[String]].self, forKey: key)
        return try pairs.enumerated().map { index, pair in
            guard pair.count == 2 else { throw corrupted(index, "merge has \(pair.count) tokens, not 2") }
            return MergeRule(left: pair[0], right: pair[1])
        }
    }
}

