/// Builds tokenizer components from a GGUF vocabulary the way llama.cpp reads it:
/// "gpt2" vocabularies as byte-level BPE with the `tokenizer.ggml.pre` preset, "llama"
/// vocabularies as SentencePiece BPE merging by score.
extension TokenizerComponents {
    init(gguf v: GGUFVocabulary) throws(TokenizerError) {
        let file = v.source
        if !v.tokenTypes.isEmpty && v.tokenTypes.count != v.tokens.count {
            throw .invalidField(
                file: file, field: "tokenizer.ggml.token_type", expected: "\(v.tokens.count) entries",
                found: "\(v.tokenTypes.count)")
        }
        let tokens = v.tokens.enumerated().map { id, text in text.isEmpty ? "[EMPTY_\(id)]" : text }
        var added = Self.addedTokens(tokens, types: v.tokenTypes, modelName: v.modelName)
        var addBOSByDefault: Bool
        let defaults: (bos: Int?, eos: Int?, unknown: Int?)
        switch v.model {
        case "gpt2":
            guard let preset = GGUFPreTokenizer(name: v.pre) else {
                throw .unsupportedComponent(
                    file: file, field: "tokenizer.ggml.pre", component: "pre-tokenizer '\(v.pre ?? "")'",
                    reason: "supported: \(GGUFPreTokenizer.supportedNames.joined(separator: ", "))")
            }
            self.init(preTokenizer: PreTokenizer(steps: preset.steps), model: .bpe(try Self.bpeModel(v, tokens, preset)))
            addedTokensDecodeAsText = true
            addBOSByDefault = preset.addBOSByDefault
            defaults = (nil, nil, nil)
        case "llama":
            if !v.scores.isEmpty && v.scores.count != v.tokens.count {
                throw .invalidField(
                    file: file, field: "tokenizer.ggml.scores", expected: "\(v.tokens.count) entries", found: "\(v.scores.count)")
            }
            // llama.cpp's defaults for SentencePiece vocabularies.
            defaults = (1, 2, 0)
            let unknown = v.unknownID ?? defaults.unknown
            let scores = v.scores.isEmpty ? [Float](repeating: 0, count: tokens.count) : v.scores
            let model = SentencePieceModel(tokens: tokens, scores: scores, unknownID: unknown.flatMap { $0 < tokens.count ? $0 : nil })
            let spacePrefix = v.addSpacePrefix ?? true
            let step = PreTokenizerStep.metaspace(replacement: "\u{2581}", prepend: spacePrefix ? .afterAddedTokens : .never, split: false)
            self.init(preTokenizer: PreTokenizer(steps: [step]), model: .sentencePiece(model))
            decoder = [
                .replace(.literal(["\u{2581}"]), [" "]), .byteTokens, .fuse, .strip(content: " ", start: spacePrefix ? 1 : 0, stop: 0),
            ]
            addBOSByDefault = true
        default:
            throw .unsupportedComponent(
                file: file, field: "tokenizer.ggml.model", component: "tokenizer model '\(v.model)'",
                reason: "supported: 'gpt2' (byte-level BPE) and 'llama' (SentencePiece)")
        }
        asciiStrip = true

        func checked(_ id: Int?, _ key: String) throws(TokenizerError) -> Int? {
            guard let id else { return nil }
            guard id >= 0 && id < v.tokens.count else {
                throw .invalidField(
                    file: file, field: key, expected: "an id below \(v.tokens.count)", found: "\(id)")
            }
            return id
        }
        let bos = try checked(v.bosID, "tokenizer.ggml.bos_token_id") ?? defaults.bos
        let eos = try checked(v.eosID, "tokenizer.ggml.eos_token_id") ?? defaults.eos
        let eot = try checked(v.eotID, "tokenizer.ggml.eot_token_id")
        let eom = try checked(v.eomID, "tokenizer.ggml.eom_token_id")
        bosTokenID = bos
        if v.addBOS ?? addBOSByDefault {
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
        eosTokenID = eos
        added.removeAll { $0.content.isEmpty }
        addedTokens = added
        chatTemplate = v.chatTemplate
    }

    /// Control and unknown tokens (special) and user-defined tokens (not special), matched
    /// as whole tokens in text. Phi-3 vocabularies get llama.cpp's `rstrip` on special tokens.
    private static func addedTokens(_ tokens: [String], types: [Int], modelName: String?) -> [AddedToken] {
        var added: [AddedToken] = []
        for (id, token) in tokens.enumerated() {
            switch types.isEmpty ? GGUFVocabulary.TokenType.normal : types[id] {
            case GGUFVocabulary.TokenType.control, GGUFVocabulary.TokenType.unknown:
                added.append(AddedToken(id: id, content: token, special: true))
            case GGUFVocabulary.TokenType.userDefined:
                added.append(AddedToken(id: id, content: token, special: false))
            default:
                break
            }
        }
        let name = (modelName ?? "").lowercased()
        if name.contains("phi-3") || name.contains("phi3") {
            for index in added.indices {
                added[index].rstrip = !["<unk>", "<s>", "<|endoftext|>"].contains(added[index].content)
            }
        }
        return added
    }

    private static func bpeModel(
        _ v: GGUFVocabulary, _ tokens: [String], _ preset: GGUFPreTokenizer
    ) throws(TokenizerError) -> BPEModel {
        var vocab = Vocabulary()
        vocab.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() { vocab[token] = id }
        var rules: [MergeRule] = []
        rules.reserveCapacity(v.merges.count)
        for (index, line) in v.merges.enumerated() {
            // As llama.cpp: split at the first space after the first byte.
            guard let space = line.utf8.dropFirst().firstIndex(of: UInt8(ascii: " ")) else {
                throw .invalidField(
                    file: v.source, field: "tokenizer.ggml.merges[\(index)]", expected: "two tokens separated by a space",
                    found: line.debugDescription)
            }
            rules.append(MergeRule(left: String(line[..<space]), right: String(line[line.index(after: space)...])))
        }
        return try BPEModel(
            vocab: vocab, merges: rules, ignoreMerges: preset.ignoreMerges, unknownID: nil, fuseUnknown: false,
            lastDuplicateWins: false, file: v.source, mergesField: "tokenizer.ggml.merges")
    }
}
