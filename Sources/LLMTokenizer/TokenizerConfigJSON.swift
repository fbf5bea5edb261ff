/// The fields of a Hugging Face `tokenizer_config.json` that the tokenizer uses; all others
/// are ignored.
struct TokenizerConfigJSON: Decodable {
    var bosToken: String?
    var eosToken: String?
    var addBOSToken: Bool?
    var addEOSToken: Bool?
    var chatTemplate: String?

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: JSONKey.self)
        bosToken = try c.decodeIfPresent(TokenNameJSON.self, forKey: "bos_token")?.content
        eosToken = try c.decodeIfPresent(TokenNameJSON.self, forKey: "eos_token")?.content
        addBOSToken = try c.decodeIfPresent(Bool.self, forKey: "add_bos_token")
        addEOSToken = try c.decodeIfPresent(Bool.self, forKey: "add_eos_token")
        chatTemplate = try c.decodeIfPresent(ChatTemplateJSON.self, forKey: "chat_template")?.template
    }
}

/// A special token named as a string or as an `AddedToken` object with `content`.
struct TokenNameJSON: Decodable {
    var content: String

    init(from decoder: Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            content = text
        } else {
            let c = try decoder.container(keyedBy: JSONKey.self)
            content = try c.decode(String.self, forKey: "content")
        }
    }
}

/// `chat_template`: one template, or a list of named templates (the one named "default",
/// else the first).
struct ChatTemplateJSON: Decodable {
    var template: String?

    private struct Named: Decodable {
        var name: String
        var template: String
    }

    init(from decoder: Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            template = text
        } else {
            let list = try decoder.singleValueContainer().decode([Named].self)
            template = (list.first { $0.name == "default" } ?? list.first)?.template
        }
    }
}
