/// `decoder`.
indirect enum DecoderJSON: Decodable {
    case step(DecoderStep)
    case replace(pattern: PatternJSON, content: String)
    case sequence([DecoderJSON])
    case unsupported(type: String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        switch try c.decode(String.self, forKey: "type") {
        case "ByteLevel": self = .step(.byteLevel)
        case "ByteFallback": self = .step(.byteFallback)
        case "Fuse": self = .step(.fuse)
        case "Strip":
            let content = try c.decode(String.self, forKey: "content")
            var scalars = content.unicodeScalars.makeIterator()
            guard let scalar = scalars.next(), scalars.next() == nil else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath + [JSONKey("content")], debugDescription: "not one character"))
            }
            self = .step(.strip(content: scalar, start: try c.value("start", default: 0), stop: try c.value("stop", default: 0)))
        case "Metaspace":
            let (replacement, prepend) = try PreTokenizerJSON.metaspaceOptions(c)
            self = .step(.metaspace(replacement: replacement, prepend: prepend))
        case "Replace":
            self = .replace(
                pattern: try c.decode(PatternJSON.self, forKey: "pattern"), content: try c.decode(String.self, forKey: "content"))
        case "Sequence": self = .sequence(try c.decode([DecoderJSON].self, forKey: "decoders"))
        case let other: self = .unsupported(type: other)
        }
    }

    /// The decoder steps in order; nil when there is no decoder.
    static func steps(_ json: DecoderJSON?, file: String) throws(TokenizerError) -> [DecoderStep]? {
        guard let json else { return nil }
        var steps: [DecoderStep] = []
        try json.appendSteps(field: "decoder", file: file, to: &steps)
        return steps
    }

    private func appendSteps(field: String, file: String, to steps: inout [DecoderStep]) throws(TokenizerError) {
        switch self {
        case let .step(step):
            steps.append(step)
        case let .replace(pattern, content):
            steps.append(.replace(try pattern.textPattern(field: "\(field).pattern", file: file), Array(content.unicodeScalars)))
        case let .sequence(items):
            for (index, item) in items.enumerated() {
                try item.appendSteps(field: "\(field).decoders[\(index)]", file: file, to: &steps)
            }
        case let .unsupported(type):
            throw .unsupportedComponent(
                file: file, field: "\(field).type", component: "decoder '\(type)'",
                reason: "supported: Sequence, ByteLevel, ByteFallback, Fuse, Strip, Metaspace, Replace")
        }
    }
}
