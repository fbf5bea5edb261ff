/// The tokenizer stored in a GGUF file's metadata (`tokenizer.ggml.*` and
/// `tokenizer.chat_template`), as plain values. `Tokenizer(vocabulary:)` builds a tokenizer
/// from it that behaves like llama.cpp's for the same file.
public struct GGUFVocabulary: Sendable, Equatable {
    /// GGUF token types (`tokenizer.ggml.token_type`).
    public enum TokenType {
        /// An ordinary token, produced by BPE.
        public static let normal = 1
        /// The unknown token (treated as special).
        public static let unknown = 2
        /// A control token such as BOS or `<|im_end|>`: special, matched in text as a whole.
        public static let control = 3
        /// A user-defined token: matched in text as a whole, not special.
        public static let userDefined = 4
        /// An unused slot.
        public static let unused = 5
        /// A byte token (SentencePiece vocabularies).
        public static let byte = 6
    }

    /// Where the metadata came from (a file path), for error messages.
    public var source: String
    /// `tokenizer.ggml.model`: "gpt2" for byte-level BPE.
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer name ("llama-bpe", "qwen2", "smollm", ...).
    public var pre: String?
    /// `tokenizer.ggml.tokens`, indexed by id.
    public var tokens: [String]
    /// `tokenizer.ggml.token_type`, indexed by id; empty means all normal.
    public var tokenTypes: [Int]
    /// `tokenizer.ggml.merges`: "left right", highest priority first.
    public var merges: [String]
    /// `tokenizer.ggml.bos_token_id`.
    public var bosID: Int?
    /// `tokenizer.ggml.eos_token_id`.
    public var eosID: Int?
    /// `tokenizer.ggml.eot_token_id`.
    public var eotID: Int?
    /// `tokenizer.ggml.eom_token_id`.
    public var eomID: Int?
    /// `tokenizer.ggml.unknown_token_id`.
    public var unknownID: Int?
    /// `tokenizer.ggml.padding_token_id`.
    public var paddingID: Int?
    /// `tokenizer.ggml.add_bos_token`; when absent llama.cpp's default for the pre-tokenizer applies.
    public var addBOS: Bool?
    /// `tokenizer.ggml.add_eos_token`.
    public var addEOS: Bool?
    /// `tokenizer.chat_template`.
    public var chatTemplate: String?

    /// A vocabulary from plain values.
    public init(
        source: String, model: String, pre: String? = nil, tokens: [String], tokenTypes: [Int] = [],
        merges: [String], bosID: Int? = nil, eosID: Int? = nil, eotID: Int? = nil, eomID: Int? = nil,
        unknownID: Int? = nil, paddingID: Int? = nil, addBOS: Bool? = nil, addEOS: Bool? = nil,
        chatTemplate: String? = nil
    ) {
        self.source = source
        self.model = model
        self.pre = pre
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.bosID = bosID
        self.eosID = eosID
        self.eotID = eotID
        self.eomID = eomID
        self.unknownID = unknownID
        self.paddingID = paddingID
        self.addBOS = addBOS
        self.addEOS = addEOS
        self.chatTemplate = chatTemplate
    }
}

extension Tokenizer {
    /// A tokenizer for a GGUF vocabulary, matching llama.cpp: the pre-tokenizer is chosen by
    /// `pre`, control/user-defined tokens are matched as whole tokens, BOS is added when
    /// `addBOS` (or llama.cpp's default for `pre`) says so.
    /// - Throws: `TokenizerError.unsupportedComponent` for non-BPE models and unknown
    ///   pre-tokenizers; `unknownToken`/`invalidField` for broken merges or ids.
    public convenience init(vocabulary: GGUFVocabulary) throws(TokenizerError) {
        self.init(try TokenizerComponents(gguf: vocabulary))
    }
}

extension TokenizerComponents {
    init(gguf v: GGUFVocabulary) throws(TokenizerError) {
        let file = v.source
        guard v.model == "gpt2" else {
            throw .unsupportedComponent(
                file: file, field: "tokenizer.ggml.model", component: "tokenizer model '\(v.model)'",
                reason: "only byte-level BPE ('gpt2') is supported; SentencePiece and others come later")
        }
        guard let preset = GGUFPreTokenizer(name: v.pre) else {
            throw .unsupportedComponent(
                file: file, field: "tokenizer.ggml.pre", component: "pre-tokenizer '\(v.pre ?? "")'",
                reason: "supported: \(GGUFPreTokenizer.supportedNames.joined(separator: ", "))")
        }
        if !v.tokenTypes.isEmpty && v.tokenTypes.count != v.tokens.count {
            throw .invalidField(
                file: file, field: "tokenizer.ggml.token_type", expected: "\(v.tokens.count) entries",
                found: "\(v.tokenTypes.count)")
        }
        var vocab: [String: Int] = [:]
        vocab.reserveCapacity(v.tokens.count)
        var added: [AddedToken] = []
        for (id, text) in v.tokens.enumerated() {
            let token = text.isEmpty ? "[EMPTY_\(id)]" : text
            vocab[token] = id
            let type = v.tokenTypes.isEmpty ? GGUFVocabulary.TokenType.normal : v.tokenTypes[id]
            switch type {
            case GGUFVocabulary.TokenType.control, GGUFVocabulary.TokenType.unknown:
                added.append(AddedToken(id: id, content: token, special: true))
            case GGUFVocabulary.TokenType.userDefined:
                added.append(AddedToken(id: id, content: token, special: false))
            default:
                break
            }
        }
        var rules: [MergeRule] = []
        rules.reserveCapacity(v.merges.count)
        for (index, line) in v.merges.enumerated() {
            // As llama.cpp: split at the first space after the first byte.
            guard let space = line.utf8.dropFirst().firstIndex(of: UInt8(ascii: " ")) else {
                throw .invalidField(
                    file: file, field: "tokenizer.ggml.merges[\(index)]", expected: "two tokens separated by a space",
                    found: line.debugDescription)
            }
            rules.append(MergeRule(left: String(line[..<space]), right: String(line[line.index(after: space)...])))
        }
        let model = try BPEModel(
            vocab: vocab, merges: rules, ignoreMerges: preset.ignoreMerges, unknownID: nil, fuseUnknown: false,
            lastDuplicateWins: false, file: file, mergesField: "tokenizer.ggml.merges")
        self.init(preTokenizer: PreTokenizer(steps: preset.steps), model: model)
        addedTokens = added
        asciiStrip = true
        addedTokensDecodeAsText = true

        func checked(_ id: Int?, _ key: String) throws(TokenizerError) -> Int? {
            guard let id else { return nil }
            guard id >= 0 && id < v.tokens.count else {
                throw .invalidField(
                    file: file, field: key, expected: "an id below \(v.tokens.count)", found: "\(id)")
            }
            return id
        }
        let bos = try checked(v.bosID, "tokenizer.ggml.bos_token_id")
        let eos = try checked(v.eosID, "tokenizer.ggml.eos_token_id")
        let eot = try checked(v.eotID, "tokenizer.ggml.eot_token_id")
        let eom = try checked(v.eomID, "tokenizer.ggml.eom_token_id")
        bosTokenID = bos
        if v.addBOS ?? preset.addBOSByDefault {
            guard let bos else {
                throw .missingField(
                    file: file, field: "tokenizer.ggml.bos_token_id", expected: "an id, as a BOS token is added")
            }
            prefixIDs = [bos]
        }
        if v.addEOS ?? false {
            guard let eos else {
                throw .missingField(
                    file: file, field: "tokenizer.ggml.eos_token_id", expected: "an id, as add_eos_token is true")
            }
            suffixIDs = [eos]
        }
        var ends = Set([eos, eot, eom].compactMap { $0 })
        for token in added where token.special && Self.endOfGenerationNames.contains(token.content) {
            ends.insert(token.id)
        }
        eosTokenIDs = ends
        chatTemplate = v.chatTemplate
    }
}
