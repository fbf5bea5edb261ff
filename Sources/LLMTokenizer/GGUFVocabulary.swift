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
    /// `tokenizer.ggml.model`: "gpt2" for byte-level BPE, "llama" for SentencePiece.
    public var model: String
    /// `tokenizer.ggml.pre`: the pre-tokenizer name ("llama-bpe", "qwen2", "smollm", ...).
    public var pre: String?
    /// `tokenizer.ggml.tokens`, indexed by id.
    public var tokens: [String]
    /// `tokenizer.ggml.token_type`, indexed by id; empty means all normal.
    public var tokenTypes: [Int]
    /// `tokenizer.ggml.merges`: "left right", highest priority first ("gpt2" only).
    public var merges: [String]
    /// `tokenizer.ggml.scores`, indexed by id ("llama": higher merges first); empty means all 0.
    public var scores: [Float]
    /// `tokenizer.ggml.add_space_prefix` ("llama"; absent means true).
    public var addSpacePrefix: Bool?
    /// `general.name`: llama.cpp gives Phi-3's special tokens `rstrip` by it.
    public var modelName: String?
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
        merges: [String], scores: [Float] = [], addSpacePrefix: Bool? = nil, modelName: String? = nil,
        bosID: Int? = nil, eosID: Int? = nil, eotID: Int? = nil, eomID: Int? = nil,
        unknownID: Int? = nil, paddingID: Int? = nil, addBOS: Bool? = nil, addEOS: Bool? = nil,
        chatTemplate: String? = nil
    ) {
        self.source = source
        self.model = model
        self.pre = pre
        self.tokens = tokens
        self.tokenTypes = tokenTypes
        self.merges = merges
        self.scores = scores
        self.addSpacePrefix = addSpacePrefix
        self.modelName = modelName
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

