/// A `String` or `Regex` pattern (of `Split`, `Replace`).
enum PatternJSON: Decodable {
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

    /// The pattern for `Replace`; `field` names the pattern in errors.
    func textPattern(field: String, file: String) throws(TokenizerError) -> TextPattern {
        switch self {
        case let .string(text):
            return .literal(Array(text.unicodeScalars))
        case let .regex(source):
            guard let compiled = CompiledRegex(source) else {
                throw .unsupportedComponent(
                    file: file, field: "\(field).Regex", component: "regex \(source.debugDescription)",
                    reason: "the regex engine does not accept it")
            }
            return .regex(compiled)
        }
    }
}

/// `normalizer`.
indirect enum NormalizerJSON: Decodable {
    case step(NormalizerStep)
    case replace(pattern: PatternJSON, content: String)
    case sequence([NormalizerJSON])
    case unsupported(type: String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        switch try c.decode(String.self, forKey: "type") {
        case "NFC": self = .step(.nfc)
        case "NFD": self = .step(.nfd)
        case "NFKC": self = .step(.nfkc)
        case "NFKD": self = .step(.nfkd)
        case "Lowercase": self = .step(.lowercase)
        case "StripAccents": self = .step(.stripAccents)
        case "Strip":
            self = .step(.strip(left: try c.value("strip_left", default: true), right: try c.value("strip_right", default: true)))
        case "Prepend":
            self = .step(.prepend(Array(try c.decode(String.self, forKey: "prepend").unicodeScalars)))
        case "Replace":
            self = .replace(
                pattern: try c.decode(PatternJSON.self, forKey: "pattern"), content: try c.decode(String.self, forKey: "content"))
        case "Sequence": self = .sequence(try c.decode([NormalizerJSON].self, forKey: "normalizers"))
        case let other: self = .unsupported(type: other)
        }
    }

    /// The normalizer steps, in order.
    static func normalizer(_ json: NormalizerJSON?, field: String, file: String) throws(TokenizerError) -> Normalizer {
        var steps: [NormalizerStep] = []
        try json?.appendSteps(field: field, file: file, to: &steps)
        return Normalizer(steps: steps)
    }

    private func appendSteps(field: String, file: String, to steps: inout [NormalizerStep]) throws(TokenizerError) {
        switch self {
        case let .step(step):
            steps.append(step)
        case let .replace(pattern, content):
            steps.append(.replace(try pattern.textPattern(field: "\(field).pattern", file: file), Array(content.unicodeScalars)))
        case let .sequence(items):
            for (index, item) in items.enumerated() {
                try item.appendSteps(field: "\(field).normalizers[\(index)]", file: file, to: &steps)
            }
        case let .unsupported(type):
            throw .unsupportedComponent(
                file: file, field: "\(field).type", component: "normalizer '\(type)'",
                reason: "supported: Sequence, NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Strip, Prepend, Replace")
        }
    }
}
