/// Turns the decoded sections of `tokenizer.json` (+ `tokenizer_config.json`) into tokenizer
/// components, rejecting what is not implemented with an error naming the field.
extension TokenizerComponents {
    /// - Parameter vocab: the entries of `model.vocab` (`VocabJSONScanner`), nil if absent.
    init(
        json: TokenizerJSON, vocab: [(String, Int)]?, file: String, config: TokenizerConfigJSON?, configFile: String,
        fallbackChatTemplate: String?
    ) throws(TokenizerError) {
        let preTokenizer = try PreTokenizerJSON.preTokenizer(json.preTokenizer, file: file)
        let byteLevel = preTokenizer.steps.contains { if case .byteLevel = $0 { return true } else { return false } }
        let model = try Self.bpeModel(json.model, vocab: vocab, byteLevel: byteLevel, file: file)
        self.init(preTokenizer: preTokenizer, model: .bpe(model))
        decoder = try DecoderJSON.steps(json.decoder, file: file)
        normalizer = try NormalizerJSON.normalizer(json.normalizer, field: "normalizer", file: file)
        addedTokens = json.addedTokens.map {
            AddedToken(
                id: $0.id, content: $0.content, special: $0.special, singleWord: $0.singleWord, lstrip: $0.lstrip,
                rstrip: $0.rstrip, normalized: $0.normalized)
        }
        let idLimit = Self.idLimit(entries: model.vocab.count + addedTokens.count)
        for (index, token) in addedTokens.enumerated() where token.id < 0 || token.id >= idLimit {
            throw .invalidField(
                file: file, field: "added_tokens[\(index)].id", expected: "an id in 0..<\(idLimit)", found: "\(token.id)")
        }
        var processing = PostProcessing()
        try processing.add(json.postProcessor, field: "post_processor", file: file)
        prefixIDs = processing.prefix
        suffixIDs = processing.suffix

        let lookup = { (token: String) -> Int? in
            json.addedTokens.last { $0.content == token }?.id ?? model.vocab[token]
        }
        if let name = config?.bosToken {
            guard let id = lookup(name) else { throw .unknownToken(file: configFile, field: "bos_token", token: name) }
            bosTokenID = id
        } else if processing.hasTemplate, let first = processing.prefix.first {
            bosTokenID = first
        }
        var eos: Set<Int> = []
        if let name = config?.eosToken {
            guard let id = lookup(name) else { throw .unknownToken(file: configFile, field: "eos_token", token: name) }
            eos.insert(id)
            eosTokenID = id
        }
        for token in addedTokens where token.special && Self.endOfGenerationNames.contains(token.content) {
            eos.insert(token.id)
        }
        eosTokenIDs = eos
        if !processing.hasTemplate {
            // Without a template post-processor, tokenizer_config.json says what to add.
            if config?.addBOSToken == true {
                guard let bos = bosTokenID else {
                    throw .missingField(file: configFile, field: "bos_token", expected: "a token, as add_bos_token is true")
                }
                prefixIDs = [bos] + prefixIDs
            }
            if config?.addEOSToken == true {
                guard let name = config?.eosToken, let id = lookup(name) else {
                    throw .missingField(file: configFile, field: "eos_token", expected: "a token, as add_eos_token is true")
                }
                suffixIDs.append(id)
            }
        }
        chatTemplate = config?.chatTemplate ?? fallbackChatTemplate
    }

    /// The largest id accepted (exclusive): ids may leave gaps, but not so many that the
    /// id tables would be absurdly large.
    private static func idLimit(entries: Int) -> Int {
        2 * entries + 1024
    }

    private static func bpeModel(
        _ json: ModelJSON, vocab entries: [(String, Int)]?, byteLevel: Bool, file: String
    ) throws(TokenizerError) -> BPEModel {
        if let type = json.type, type != "BPE" {
            throw .unsupportedComponent(
                file: file, field: "model.type", component: "model '\(type)'", reason: "only BPE models are supported")
        }
        guard let entries else { throw .missingField(file: file, field: "model.vocab", expected: "an object") }
        let vocab = Vocabulary(entries)
        guard let merges = json.merges else { throw .missingField(file: file, field: "model.merges", expected: "a list") }
        if let dropout = json.dropout, dropout > 0 {
            throw .unsupportedComponent(
                file: file, field: "model.dropout", component: "BPE dropout \(dropout)",
                reason: "encoding must be deterministic")
        }
        if byteLevel, let prefix = json.continuingSubwordPrefix, !prefix.isEmpty {
            throw .unsupportedComponent(
                file: file, field: "model.continuing_subword_prefix", component: "continuing_subword_prefix",
                reason: "not supported together with a ByteLevel pre-tokenizer")
        }
        if byteLevel, let suffix = json.endOfWordSuffix, !suffix.isEmpty {
            throw .unsupportedComponent(
                file: file, field: "model.end_of_word_suffix", component: "end_of_word_suffix",
                reason: "not supported together with a ByteLevel pre-tokenizer")
        }
        let limit = idLimit(entries: vocab.count)
        if let (token, id) = entries.first(where: { $0.1 < 0 || $0.1 >= limit }) {
            throw .invalidField(
                file: file, field: "model.vocab.\(token)", expected: "an id in 0..<\(limit)", found: "\(id)")
        }
        var unknownID: Int?
        if let unk = json.unkToken {
            guard let id = vocab[unk] else { throw .unknownToken(file: file, field: "model.unk_token", token: unk) }
            unknownID = id
        }
        return try BPEModel(
            vocab: vocab, merges: merges, byteLevel: byteLevel, byteFallback: json.byteFallback,
            ignoreMerges: json.ignoreMerges, unknownID: unknownID, fuseUnknown: json.fuseUnk,
            continuingSubwordPrefix: json.continuingSubwordPrefix, endOfWordSuffix: json.endOfWordSuffix,
            lastDuplicateWins: true, file: file, mergesField: "model.merges")
    }
}

/// The ids a post-processor puts around a single text.
private struct PostProcessing {
    var prefix: [Int] = []
    var suffix: [Int] = []
    var hasTemplate = false

    mutating func add(_ json: PostProcessorJSON?, field: String, file: String) throws(TokenizerError) {
        switch json {
        case nil, .byteLevel:
            return
        case let .sequence(items):
            for (index, item) in items.enumerated() {
                try add(item, field: "\(field).processors[\(index)]", file: file)
            }
        case let .clsSep(cls, sep):
            hasTemplate = true
            prefix = [cls]
            suffix = [sep]
        case let .template(single, specialTokens):
            hasTemplate = true
            prefix = []
            suffix = []
            var seenSequence = false
            for (index, piece) in single.enumerated() {
                switch piece {
                case .sequence:
                    seenSequence = true
                case let .specialToken(name):
                    guard let ids = specialTokens[name]?.ids else {
                        throw .unknownToken(file: file, field: "\(field).single[\(index)].SpecialToken.id", token: name)
                    }
                    if seenSequence { suffix += ids } else { prefix += ids }
                }
            }
        case let .unsupported(type):
            throw .unsupportedComponent(
                file: file, field: "\(field).type", component: "post-processor '\(type)'",
                reason: "supported: ByteLevel, TemplateProcessing, RobertaProcessing, BertProcessing, Sequence")
        }
    }
}
