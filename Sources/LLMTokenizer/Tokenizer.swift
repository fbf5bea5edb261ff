/// A byte-level BPE tokenizer (GPT-2, Llama 3, Qwen2, SmolLM2, ...), loaded from a Hugging
/// Face `tokenizer.json` or from the vocabulary embedded in a GGUF file. Immutable after
/// loading and safe to share between threads.
public final class Tokenizer: Sendable {
    private let normalizer: Normalizer
    private let preTokenizer: PreTokenizer
    private let model: BPEModel
    private let rawMatcher: AddedTokenMatcher
    private let normalizedMatcher: AddedTokenMatcher
    private let prefixIDs: [Int]
    private let suffixIDs: [Int]
    private let addedTokenIDs: [String: Int]
    private let tokenStrings: [String?]
    private let specialFlags: [Bool]
    /// The decoded bytes of every id, concatenated; `byteOffsets[id]..<byteOffsets[id + 1]`.
    private let tokenBytes: [UInt8]
    private let byteOffsets: [Int]

    /// Number of token ids: one more than the largest id of the vocabulary and added tokens.
    public let vocabSize: Int
    /// The beginning-of-sequence token, if the tokenizer has one.
    public let bosTokenID: Int?
    /// Tokens that end generation: the EOS token plus special end-of-turn tokens such as
    /// `<|eot_id|>` or `<|im_end|>` when the vocabulary has them.
    public let eosTokenIDs: Set<Int>
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
        chatTemplate = parts.chatTemplate

        var size = 0
        for id in parts.model.vocab.values { size = max(size, id + 1) }
        for token in parts.addedTokens { size = max(size, token.id + 1) }
        vocabSize = size
        var strings = [String?](repeating: nil, count: size)
        for (token, id) in parts.model.vocab where id >= 0 { strings[id] = token }
        var special = [Bool](repeating: false, count: size)
        var added: [String: Int] = [:]
        var isAdded = [Bool](repeating: false, count: size)
        for token in parts.addedTokens where token.id >= 0 {
            strings[token.id] = token.content
            special[token.id] = token.special
            added[token.content] = token.id
            isAdded[token.id] = true
        }
        tokenStrings = strings
        specialFlags = special
        addedTokenIDs = added

        var bytes: [UInt8] = []
        var offsets = [0]
        offsets.reserveCapacity(size + 1)
        for id in 0..<size {
            if let text = strings[id] {
                if isAdded[id] && parts.addedTokensDecodeAsText {
                    bytes.append(contentsOf: text.utf8)
                } else if let raw = ByteLevelAlphabet.bytes(of: text) {
                    bytes.append(contentsOf: raw)
                } else {
                    bytes.append(contentsOf: text.utf8)
                }
            }
            offsets.append(bytes.count)
        }
        tokenBytes = bytes
        byteOffsets = offsets
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
        for segment in rawMatcher.split(scalars, 0..<scalars.count, parseSpecial: parseSpecialTokens) {
            switch segment {
            case let .token(id):
                output.append(id)
            case let .text(range):
                if normalizer == .none && normalizedMatcher.isEmpty {
                    encodeText(scalars, range, into: &output, state: &state)
                    continue
                }
                let normalized = normalizer.apply(scalars[range])
                for inner in normalizedMatcher.split(normalized, 0..<normalized.count, parseSpecial: parseSpecialTokens) {
                    switch inner {
                    case let .token(id): output.append(id)
                    case let .text(innerRange): encodeText(normalized, innerRange, into: &output, state: &state)
                    }
                }
            }
        }
        if addSpecialTokens { output.append(contentsOf: suffixIDs) }
        return output
    }

    private struct EncodeState {
        var workspace = BPEWorkspace()
        var utf8: [UInt8] = []
    }

    /// Pre-tokenizes and BPE-encodes ordinary text.
    private func encodeText(_ scalars: [Unicode.Scalar], _ range: Range<Int>, into output: inout [Int], state: inout EncodeState) {
        let (buffer, pieces) = preTokenizer.split(scalars, range)
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
    }

    /// The text of `ids`. Ids outside the vocabulary are skipped; byte sequences that are
    /// not valid UTF-8 become U+FFFD.
    /// - Parameter skipSpecialTokens: leave out special tokens (BOS, `<|eot_id|>`, ...).
    public func decode(_ ids: [Int], skipSpecialTokens: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.count * 4)
        for id in ids { appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the raw bytes token `id` stands for (nothing for unknown ids, or for special
    /// tokens when `skipSpecialTokens`).
    func appendBytes(of id: Int, skipSpecialTokens: Bool, to bytes: inout [UInt8]) {
        guard id >= 0, id < vocabSize, !(skipSpecialTokens && specialFlags[id]) else { return }
        bytes.append(contentsOf: tokenBytes[byteOffsets[id]..<byteOffsets[id + 1]])
    }

    /// The vocabulary string of a token as stored in the tokenizer (byte-level alphabet,
    /// so a leading space shows as "Ġ"), nil for an unknown id.
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
