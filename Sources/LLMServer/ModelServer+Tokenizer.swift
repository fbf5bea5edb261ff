import Hummingbird

/// vLLM's `/tokenize` (a prompt, or messages through the chat template) and `/detokenize`.
extension ModelServer {
    func addTokenizerRoutes(to router: Router<ServerRequestContext>) {
        router.post("/tokenize") { request, _ in try self.tokenize(try await self.readFields(request)) }
        router.post("/detokenize") { request, _ in try self.detokenize(try await self.readFields(request)) }
    }

    func tokenize(_ fields: RequestFields) throws -> Response {
        try fields.checkKeys(known: ["model", "prompt", "messages", "add_special_tokens", "add_generation_prompt", "chat_template_kwargs",
                                     "return_token_strs"],
                             unsupported: ["tools", "chat_template", "continue_final_message", "mm_processor_kwargs"])
        _ = try configuration.servedModel(try fields.string("model"))
        let tokens: [Int]
        if fields.has("messages") {
            guard !fields.has("prompt") else { throw APIError.invalidRequest("Send either 'prompt' or 'messages', not both", param: "prompt") }
            tokens = try ChatCompletionRequest.promptTokens(fields, model: model)
        } else {
            guard let prompt = try fields.string("prompt") else { throw APIError.invalidRequest("'prompt' or 'messages' is required", param: "prompt") }
            tokens = model.encode(prompt, addSpecialTokens: try fields.bool("add_special_tokens") ?? true)
        }
        let tokenTexts = try fields.bool("return_token_strs") == true ? tokens.map { model.decode([$0]) } : nil
        return try JSONBody.response(TokenizeResponse(count: tokens.count, maxModelLength: model.maxModelLength, tokens: tokens,
                                                      tokenTexts: tokenTexts))
    }

    func detokenize(_ fields: RequestFields) throws -> Response {
        try fields.checkKeys(known: ["model", "tokens"], unsupported: [])
        _ = try configuration.servedModel(try fields.string("model"))
        guard let tokens = try fields.integers("tokens") else { throw APIError.invalidRequest("'tokens' is required", param: "tokens") }
        if let bad = tokens.first(where: { $0 < 0 || $0 >= model.vocabularySize }) {
            throw APIError.invalidRequest("'tokens' contains token id \(bad), outside the vocabulary [0, \(model.vocabularySize))", param: "tokens")
        }
        return try JSONBody.response(DetokenizeResponse(prompt: model.decode(tokens)))
    }
}

struct TokenizeResponse: Encodable {
    var count: Int
    var maxModelLength: Int
    var tokens: [Int]
    var tokenTexts: [String]?

    private enum CodingKeys: String, CodingKey {
        case count, maxModelLength = "max_model_len", tokens, tokenTexts = "token_strs"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(maxModelLength, forKey: .maxModelLength)
        try container.encode(tokens, forKey: .tokens)
        try container.encode(tokenTexts, forKey: .tokenTexts)
    }
}

struct DetokenizeResponse: Encodable {
    var prompt: String
}
