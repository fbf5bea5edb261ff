/// One element of `TemplateProcessing.single`.
enum TemplatePieceJSON: Decodable {
    case specialToken(String)
    case sequence

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        if let special = try c.decodeIfPresent([String: JSONScalar].self, forKey: "SpecialToken") {
            guard case let .string(id)? = special["id"] else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath + [JSONKey("SpecialToken")], debugDescription: "missing id"))
            }
            self = .specialToken(id)
        } else {
            _ = try c.decode([String: JSONScalar].self, forKey: "Sequence")
            self = .sequence
        }
    }
}

/// A JSON string or number (the values inside template pieces).
enum JSONScalar: Decodable {
    case string(String)
    case number(Int)

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let text = try? c.decode(String.self) { self = .string(text) } else { self = .number(try c.decode(Int.self)) }
    }
}

/// One entry of `TemplateProcessing.special_tokens`.
struct TemplateSpecialTokenJSON: Decodable {
    var ids: [Int]
}

/// `post_processor`.
indirect enum PostProcessorJSON: Decodable {
    case byteLevel
    case template(single: [TemplatePieceJSON], specialTokens: [String: TemplateSpecialTokenJSON])
    /// Roberta/Bert processing: `cls` before and `sep` after a single text.
    case clsSep(cls: Int, sep: Int)
    case sequence([PostProcessorJSON])
    case unsupported(type: String)

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        switch try c.decode(String.self, forKey: "type") {
        case "ByteLevel":
            self = .byteLevel
        case "TemplateProcessing":
            self = .template(
                single: try c.decode([TemplatePieceJSON].self, forKey: "single"),
                specialTokens: try c.value("special_tokens", default: [:]))
        case "RobertaProcessing", "BertProcessing":
            let cls = try c.decode([JSONScalar].self, forKey: "cls")
            let sep = try c.decode([JSONScalar].self, forKey: "sep")
            guard cls.count == 2, case let .number(clsID) = cls[1], sep.count == 2, case let .number(sepID) = sep[1] else {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: c.codingPath + [JSONKey("cls")], debugDescription: "expected [token, id] pairs"))
            }
            self = .clsSep(cls: clsID, sep: sepID)
        case "Sequence":
            self = .sequence(try c.decode([PostProcessorJSON].self, forKey: "processors"))
        case let other:
            self = .unsupported(type: other)
        }
    }
}

