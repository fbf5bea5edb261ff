/// Everything a `Tokenizer` is made of, assembled by the `tokenizer.json` and GGUF loaders.
struct TokenizerComponents: Sendable {
    var normalizer: Normalizer = .none
    var preTokenizer: PreTokenizer
    var model: TokenModel
    /// The decoder pipeline; nil when the tokenizer has none (tokens are joined with spaces).
    var decoder: [DecoderStep]? = [.byteLevel]
    var addedTokens: [AddedToken] = []
    /// `lstrip`/`rstrip` of added tokens absorb ASCII whitespace only (llama.cpp).
    var asciiStrip = false
    /// Added tokens decode as their plain text instead of through the decoder (llama.cpp's
    /// control and user-defined tokens of byte-level vocabularies).
    var addedTokensDecodeAsText = false
    /// Ids around every encoded text when special tokens are added (post-processor).
    var prefixIDs: [Int] = []
    var suffixIDs: [Int] = []
    var bosTokenID: Int?
    /// The EOS token the checkpoint names (templates see it as `eos_token`).
    var eosTokenID: Int?
    var eosTokenIDs: Set<Int> = []
    var chatTemplate: String?

    /// Token texts that end a turn or the text in common chat formats; when such a token
    /// is a special token it joins `eosTokenIDs` (as llama.cpp does).
    static let endOfGenerationNames: Set<String> = [
        "<|eot_id|>", "<|eom_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>",
        "<|end_of_text|>", "<EOT>", "</s>", "<｜end▁of▁sentence｜>",
    ]
}
