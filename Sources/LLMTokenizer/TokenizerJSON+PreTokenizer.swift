/// `pre_tokenizer`.
indirect enum PreTokenizerJSON: Decodable {
    case sequence([PreTokenizerJSON])
    case split(pattern: PatternJSON, behavior: SplitBehavior, invert: Bool)
    case step(PreTokenizerStep)
    case steps([PreTokenizerStep])
    case unsupported(type: String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        switch try c.decode(String.self, forKey: "type") {
        case "Sequence":
            self = .sequence(try c.decode([PreTokenizerJSON].self, forKey: "pretokenizers"))
        case "Split":
            self = .split(
                pattern: try c.decode(PatternJSON.self, forKey: "pattern"),
                behavior: try c.decode(SplitBehavior.self, forKey: "behavior"),
                invert: try c.value("invert", default: false))
        case "ByteLevel":
            self = .step(
                .byteLevel(
                    addPrefixSpace: try c.value("add_prefix_space", default: true),
                    useRegex: try c.value("use_regex", default: true)))
        case "Digits":
            self = .step(.digits(individual: try c.value("individual_digits", default: false)))
        case "Metaspace":
            let (replacement, prepend) = try Self.metaspaceOptions(c)
            self = .step(.metaspace(replacement: replacement, prepend: prepend, split: try c.value("split", default: true)))
        case "Punctuation":
            self = .step(.punctuation(try c.value("behavior", default: .isolated)))
        case "Whitespace":
            self = .step(.whitespace)
        case "WhitespaceSplit":
            self = .step(.whitespaceSplit)
        case "BertPreTokenizer":
            self = .steps([.whitespaceSplit, .punctuation(.isolated)])
        case let other:
            self = .unsupported(type: other)
        }
    }

    /// `replacement` and `prepend_scheme` of a Metaspace pre-tokenizer or decoder (older
    /// files say `add_prefix_space` instead of `prepend_scheme`).
    static func metaspaceOptions(_ c: KeyedDecodingContainer<JSONKey>) throws -> (Unicode.Scalar, PrependScheme) {
        let text = try c.value("replacement", default: "\u{2581}")
        var scalars = text.unicodeScalars.makeIterator()
        guard let replacement = scalars.next(), scalars.next() == nil else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: c.codingPath + [JSONKey("replacement")], debugDescription: "not one character"))
        }
        if let scheme = try c.decodeIfPresent(PrependScheme.self, forKey: "prepend_scheme"), scheme != .afterAddedTokens {
            return (replacement, scheme)
        }
        return (replacement, try c.value("add_prefix_space", default: true) ? .always : .never)
    }

    /// The pre-tokenizer steps, in order.
    static func preTokenizer(_ json: PreTokenizerJSON?, file: String) throws(TokenizerError) -> PreTokenizer {
        var steps: [PreTokenizerStep] = []
        try json?.appendSteps(field: "pre_tokenizer", file: file, to: &steps)
        return PreTokenizer(steps: steps)
    }

    private func appendSteps(field: String, file: String, to steps: inout [PreTokenizerStep]) throws(TokenizerError) {
        switch self {
        case let .sequence(items):
            for (index, item) in items.enumerated() {
                try item.appendSteps(field: "\(field).pretokenizers[\(index)]", file: file, to: &steps)
            }
        case let .split(.regex(regex), behavior, invert):
            guard let pattern = SplitPattern(regex: regex) else {
                throw .unsupportedComponent(
                    file: file, field: "\(field).pattern.Regex", component: "split regex \(regex.debugDescription)",
                    reason: "only the GPT-2, Llama 3, Qwen2 and DeepSeek patterns (and simple classes) are implemented")
            }
            steps.append(.split(pattern, behavior, invert: invert))
        case let .split(.string(text), behavior, invert):
            steps.append(.split(.literal(Array(text.unicodeScalars)), behavior, invert: invert))
        case let .step(step):
            steps.append(step)
        case let .steps(list):
            steps.append(contentsOf: list)
        case let .unsupported(type):
            throw .unsupportedComponent(
                file: file, field: "\(field).type", component: "pre-tokenizer '\(type)'",
                reason: "supported: Sequence, Split, ByteLevel, Digits, Metaspace, Punctuation, Whitespace, "
                    + "WhitespaceSplit, BertPreTokenizer")
        }
    }
}
