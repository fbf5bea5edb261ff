/// A tokenizer loaded from a Hugging Face `tokenizer.json` (BPE models, byte-level like
/// GPT-2 / Llama 3 / Qwen2 or SentencePiece-style with byte fallback like Llama 2 / Mistral)
/// or from the vocabulary embedded in a GGUF file (byte-level BPE and SentencePiece, as
/// llama.cpp tokenizes them). Immutable after loading and safe to share between threads.
public final class Tokenizer: Sendable {
    private let normalizer: Normalizer
    private let preTokenizer: PreTokenizer
    private let model: TokenModel
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    private let prefixIDs: [Int]
    private let suffixIDs: [Int]
    private let addedTokenIDs: Vocabulary
    private let tokenStrings: [String?]
    private let specialFlags: [Bool]
    private let decoder: TokenDecoder

    /// Number of token ids: one more than the largest id of the vocabulary and added tokens.
    public let vocabSize: Int
    /// The beginning-of-sequence token, if the tokenizer has one.
    public let bosTokenID: Int?
    /// Tokens that end generation: the EOS token plus special end-of-turn tokens such as
    /// `<|eot_id|>` or `<|im_end|>` when the vocabulary has them.
    public let eosTokenIDs: Set<Int>
    /// The EOS token the checkpoint names (`eos_token` in chat templates), if any.
    public let eosTokenID: Int?
    /// The Jinja chat template shipped with the tokenizer, if any.
    public let chatTemplate: String?

    init(_ parts: TokenizerComponents) {
        normalizer = parts.normalizer
        preTokenizer = parts.preTokenizer
        model = parts.model
        rawMatcher = AddedTokenMatcher(parts.addedTokens.filter { !$0.normalized }, asciiStrip: parts.asciiStrip)
        // Tokens matched after normalization are normalized too, as HF does.
        let normalizedTokens = parts.addedTokens.filter(\.normalized).map { token -> AddedToken in
            var copy = token
            var view = String.UnicodeScalarView()
            view.append(contentsOf: parts.normalizer.apply(ArraySlice(token.content.unicodeScalars)))
            copy.content = String(view)
            return copy
        }
        normalizedMatcher = AddedTokenMatcher(normalizedTokens, asciiStrip: parts.asciiStrip)
        prefixIDs = parts.prefixIDs
        suffixIDs = parts.suffixIDs
        bosTokenID = parts.bosTokenID
        eosTokenIDs = parts.eosTokenIDs
        eosTokenID = parts.eosTokenID
        chatTemplate = parts.chatTemplate

        let vocab = parts.model.vocab
        var size = 0
        for id in vocab.values { size = max(size, id + 1) }
        for token in parts.addedTokens { size = max(size, token.id + 1) }
        vocabSize = size
        var strings = [String?](repeating: nil, count: size)
        for (token, id) in vocab where id >= 0 { strings[id] = token }
        var special = [Bool](repeating: false, count: size)
        var added = Vocabulary()
        var raw: Set<Int> = []
        for token in parts.addedTokens where token.id >= 0 {
            strings[token.id] = token.content
            special[token.id] = token.special
            added[token.content] = token.id
            if parts.addedTokensDecodeAsText { raw.insert(token.id) }
        }
        tokenStrings = strings
        specialFlags = special
        addedTokenIDs = added
        decoder = TokenDecoder(steps: parts.decoder, tokens: strings, rawText: raw)
    }

    /// The token ids of `text`.
    ///
    /// Added and special tokens written in the text (such as `<|eot_id|>`) are matched as
    /// whole tokens first, honouring their `lstrip`/`rstrip`/`single_word` flags; the rest
    /// is normalized, pre-tokenized and BPE-encoded.
    /// - Parameters:
    ///   - addSpecialTokens: add what the tokenizer adds around a text (BOS for Llama 3:
    ///     `TemplateProcessing` of `tokenizer.json`, `tokenizer.ggml.add_bos_token` of GGUF).
    ///   - parseSpecialTokens: match special tokens in the text; false encodes their text
    ///     as ordinary characters (for untrusted input).
    public func encode(_ text: String, addSpecialTokens: Bool = true, parseSpecialTokens: Bool = true) -> [Int] {
        var output: [Int] = []
        output.reserveCapacity(text.utf8.count / 3 + 4)
        if addSpecialTokens { output.append(contentsOf: prefixIDs) }
        let scalars = Array(text.unicodeScalars)
        var state = EncodeState()
        var afterToken = true
        for segment in rawMatcher.split(scalars, 0..<scalars.count, parseSpecial: parseSpecialTokens) {
            switch segment {
            case let .token(id):
                output.append(id)
                afterToken = true
            case let .text(range):
                let context = SegmentContext(atInputStart: range.lowerBound == 0, afterAddedToken: afterToken)
                afterToken = false
                if normalizer.isEmpty && normalizedMatcher.isEmpty {
                    encodeText(scalars, range, context, into: &output, state: &state)
                    continue
                }
                let normalized = normalizer.apply(scalars[range])
                var innerAfterToken = context.afterAddedToken
                for inner in normalizedMatcher.split(normalized, 0..<normalized.count, parseSpecial: parseSpecialTokens) {
                    switch inner {
                    case let .token(id):
                        output.append(id)
                        innerAfterToken = true
                    case let .text(innerRange):
                        let innerContext = SegmentContext(
                            atInputStart: context.atInputStart && innerRange.lowerBound == 0, afterAddedToken: innerAfterToken)
                        innerAfterToken = false
                        encodeText(normalized, innerRange, innerContext, into: &output, state: &state)
                    }
                }
                afterToken = innerAfterToken
            }
        }
        if addSpecialTokens { output.append(contentsOf: suffixIDs) }
        return output
    }

    private struct EncodeState {
        var workspace = BPEWorkspace()
        var utf8: [UInt8] = []
    }

    /// Pre-tokenizes and encodes ordinary text.
    private func encodeText(
        _ scalars: [Unicode.Scalar], _ range: Range<Int>, _ context: SegmentContext, into output: inout [Int],
        state: inout EncodeState
    ) {
        let (buffer, pieces) = preTokenizer.split(scalars, range, context: context)
        switch model {
        case let .bpe(model) where model.byteLevel:
            for piece in pieces {
                state.utf8.removeAll(keepingCapacity: true)
                for i in piece {
                    let scalar = buffer[i]
                    if scalar.value < 0x80 {
                        state.utf8.append(UInt8(truncatingIfNeeded: scalar.value))
                    } else {
                        UTF8.encode(scalar) { state.utf8.append($0) }
                    }
                }
                state.utf8.withUnsafeBufferPointer { bytes in
                    model.encodeWord(bytes, into: &output, workspace: &state.workspace)
                }
            }
        case let .bpe(model):
            for piece in pieces { model.encodeWord(buffer[piece], into: &output, workspace: &state.workspace) }
        case let .sentencePiece(model):
            for piece in pieces { model.encode(buffer[piece], into: &output, workspace: &state.workspace) }
        }
    }

    /// The text of `ids`, as the tokenizer's decoder pipeline makes it (byte-level bytes,
    /// `▁` back to spaces, byte-fallback tokens, a stripped leading space, ...). Ids outside
    /// the vocabulary are skipped; byte sequences that are not valid UTF-8 become U+FFFD.
    /// - Parameter skipSpecialTokens: leave out special tokens (BOS, `<|eot_id|>`, ...).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        var state = decoder.makeState()
        // A run of byte tokens that is not valid UTF-8 becomes one U+FFFD per token (HF).
        var runStart = 0
        var runTokens = 0
        func closeRun() {
            if runTokens > 0, !Self.isValidUTF8(bytes[runStart...]) {
                bytes.replaceSubrange(runStart..., with: Array(repeating: Array("\u{FFFD}".utf8), count: runTokens).joined())
            }
            runTokens = 0
        }
        for id in ids where isDecodable(id, skipSpecialTokens: skipSpecialTokens) {
            let isByte = decoder.isByteToken(id)
            if !isByte { closeRun() } else if runTokens == 0 { runStart = bytes.count }
            decoder.append(id, state: &state, to: &bytes)
            if isByte { runTokens += 1 }
        }
        closeRun()
        decoder.finish(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private func isDecodable(_ id: Int, skipSpecialTokens: Bool) -> Bool {
        id >= 0 && id < vocabSize && tokenStrings[id] != nil && !(skipSpecialTokens && specialFlags[id])
    }

    /// A fresh state for `appendBytes(of:skipSpecialTokens:state:to:)`.
    func makeDecodeState() -> TokenDecoder.State { decoder.makeState() }

    /// Appends the bytes token `id` stands for at the position `state` describes (nothing
    /// for unknown ids, or for special tokens when `skipSpecialTokens`).
    func appendBytes(of id: Int, skipSpecialTokens: Bool, state: inout TokenDecoder.State, to bytes: inout [UInt8]) {
        guard isDecodable(id, skipSpecialTokens: skipSpecialTokens) else { return }
        decoder.append(id, state: &state, to: &bytes)
    }

    /// The vocabulary string of a token as stored in the tokenizer (byte-level alphabet,
    /// so a leading space shows as "Ġ"; "▁" in SentencePiece vocabularies), nil for an
    /// unknown id.
    public func tokenString(_ id: Int) -> String? {
        guard id >= 0, id < vocabSize else { return nil }
        return tokenStrings[id]
    }

    /// The id of a vocabulary string or added token, nil if there is none.
    public func id(forToken token: String) -> Int? {
        addedTokenIDs[token] ?? model.vocab[token]
    }

    /// Whether `id` is a special token (BOS/EOS, chat markers, GGUF control tokens).
    public func isSpecial(_ id: Int) -> Bool {
        id >= 0 && id < vocabSize && specialFlags[id]
    }
}
