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

/// `normalizer`.
indirect enum NormalizerJSON: Decodable {
    case nfc
    case sequence([NormalizerJSON])
    case unsupported(type: String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        switch try c.decode(String.self, forKey: "type") {
        case "NFC": self = .nfc
        case "Sequence": self = .sequence(try c.decode([NormalizerJSON].self, forKey: "normalizers"))
        case let other: self = .unsupported(type: other)
        }
    }
}

/// The pattern of a `Split` pre-tokenizer.
enum SplitPatternJSON: Decodable {
    case regex(String)
    case string(String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        if let regex = try c.decodeIfPresent(String.self, forKey: "Regex") {
            self = .regex(regex)
        } else {
            self = .string(try c.decode(String.self, forKey: "String"))
        }
    }
}

/// `pre_tokenizer`.
indirect enum PreTokenizerJSON: Decodable {
    case sequence([PreTokenizerJSON])
    case split(pattern: SplitPatternJSON, behavior: SplitBehavior, invert: Bool)
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
    case digits(individualDigits: Bool)
    case unsupported(type: String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        switch try c.decode(String.self, forKey: "type") {
        case "Sequence":
            self = .sequence(try c.decode([PreTokenizerJSON].self, forKey: "pretokenizers"))
        case "Split":
            self = .split(
                pattern: try c.decode(SplitPatternJSON.self, forKey: "pattern"),
                behavior: try c.decode(SplitBehavior.self, forKey: "behavior"),
                invert: try c.value("invert", default: false))
        case "ByteLevel":
            self = .byteLevel(
                addPrefixSpace: try c.value("add_prefix_space", default: true),
                useRegex: try c.value("use_regex", default: true))
        case "Digits":
            self = .digits(individualDigits: try c.value("individual_digits", default: false))
        case let other:
            self = .unsupported(type: other)
        }
    }
}

/// `model`.
struct ModelJSON: Decodable {
    var type: String?
    var vocab: [String: Int]?
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
        vocab = try c.decode([String: Int].self, forKey: "vocab")
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

/// One element of `TemplateProcessing.single`.
enum TemplatePieceJSON: Decodable {
    case specialToken(String)
    case sequence

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        if let special = try c.decodeIfPresent([String: JSONScalar].self, forKey: "SpecialToken") {
            guard case let .string(id)? = special["id"] else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath + [JSONKey("SpecialToken")], debugDescription: "missing id"))
            }
            self = .specialToken(id)
        } else {
            _ = try c.decode([String: JSONScalar].self, forKey: "Sequence")
            self = .sequence
        }
    }
}

/// A JSON string or number (the values inside template pieces).
enum JSONScalar: Decodable {
    case string(String)
    case number(Int)

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) { self = .string(text) } else { self = .number(try c.decode(Int.self)) }
    }
}

/// One entry of `TemplateProcessing.special_tokens`.
struct TemplateSpecialTokenJSON: Decodable {
    var ids: [Int]
}

/// `post_processor`.
indirect enum PostProcessorJSON: Decodable {
    case byteLevel
    case template(single: [TemplatePieceJSON], specialTokens: [String: TemplateSpecialTokenJSON])
    /// Roberta/Bert processing: `cls` before and `sep` after a single text.
    case clsSep(cls: Int, sep: Int)
    case sequence([PostProcessorJSON])
    case unsupported(type: String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        switch try c.decode(String.self, forKey: "type") {
        case "ByteLevel":
            self = .byteLevel
        case "TemplateProcessing":
            self = .template(
                single: try c.decode([TemplatePieceJSON].self, forKey: "single"),
                specialTokens: try c.value("special_tokens", default: [:]))
        case "RobertaProcessing", "BertProcessing":
            let cls = try c.decode([JSONScalar].self, forKey: "cls")
            let sep = try c.decode([JSONScalar].self, forKey: "sep")
            guard cls.count == 2, case let .number(clsID) = cls[1], sep.count == 2, case let .number(sepID) = sep[1] else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath + [JSONKey("cls")], debugDescription: "expected [token, id] pairs"))
            }
            self = .clsSep(cls: clsID, sep: sepID)
        case "Sequence":
            self = .sequence(try c.decode([PostProcessorJSON].self, forKey: "processors"))
        case let other:
            self = .unsupported(type: other)
        }
    }
}

/// `decoder`.
indirect enum DecoderJSON: Decodable {
    case byteLevel
    case sequence([DecoderJSON])
    case unsupported(type: String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        switch try c.decode(String.self, forKey: "type") {
        case "ByteLevel": self = .byteLevel
        case "Sequence": self = .sequence(try c.decode([DecoderJSON].self, forKey: "decoders"))
        case let other: self = .unsupported(type: other)
        }
    }
}
