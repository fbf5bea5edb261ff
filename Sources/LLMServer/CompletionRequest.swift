import SwiftLLM

/// A `/v1/completions` request, read and checked against the model.
struct CompletionRequest {
    var delivery: DeliveryOptions
    var job: GenerationJob
    /// Top logprobs per token; nil returns no logprobs.
    var logprobs: Int?

    /// OpenAI's default for the legacy completions endpoint.
    static let defaultMaxTokens = 16

    static let knownKeys = SamplingFields.keys.union(DeliveryOptions.keys).union([
        "prompt", "max_tokens", "logprobs", "echo", "best_of", "add_special_tokens",
    ])
    static let unsupportedKeys: Set<String> = [
        "suffix", "prompt_logprobs", "response_format", "guided_json", "guided_regex", "guided_choice", "guided_grammar",
        "use_beam_search", "allowed_token_ids", "bad_words", "truncate_prompt_tokens", "skip_special_tokens", "priority",
    ]

    init(_ fields: RequestFields, model: any ServingModel, configuration: ServerConfiguration) throws(APIError) {
        try fields.checkKeys(known: Self.knownKeys, unsupported: Self.unsupportedKeys)
        delivery = try DeliveryOptions.read(fields, configuration: configuration)
        if try fields.bool("echo") == true { throw .unsupported("echo") }
        if let bestOf = try fields.int("best_of"), bestOf != delivery.choices {
            throw .unsupported("best_of", "other than n is not supported by this server")
        }
        let addSpecialTokens = try fields.bool("add_special_tokens") ?? true
        let prompts = try Self.prompts(fields, model: model, addSpecialTokens: addSpecialTokens)
        var params = try SamplingFields.params(from: fields)
        logprobs = try fields.int("logprobs")
        params.logprobs = logprobs
        job = GenerationJob(prompts: prompts, params: params, choicesPerPrompt: delivery.choices)
        try job.fitContext(requestedMaxTokens: try fields.int("max_tokens"), maxTokensField: "max_tokens",
                           defaultMaxTokens: Self.defaultMaxTokens, promptField: "prompt", model: model)
        try SamplingFields.validate(job.params, vocabularySize: model.vocabularySize, logprobsField: "logprobs")
    }

    /// `prompt` as OpenAI allows it: a string, strings, token ids, or lists of token ids.
    static func prompts(_ fields: RequestFields, model: any ServingModel, addSpecialTokens: Bool) throws(APIError) -> [[Int]] {
        let expected = "a string, an array of strings, an array of token ids, or an array of arrays of token ids"
        guard let value = fields.value("prompt") else { throw .invalidRequest("'prompt' is required", param: "prompt") }
        switch value {
        case let .string(text):
            return [model.encode(text, addSpecialTokens: addSpecialTokens)]
        case let .array(items):
            guard let first = items.first else { throw .invalidRequest("'prompt' must not be an empty array", param: "prompt") }
            switch first {
            case .string:
                var prompts = [[Int]]()
                for item in items {
                    guard case let .string(text) = item else { throw fields.wrongType("prompt", expected) }
                    prompts.append(model.encode(text, addSpecialTokens: addSpecialTokens))
                }
                return prompts
            case .int:
                guard let ids = RequestFields.integers(items) else { throw fields.wrongType("prompt", expected) }
                return [ids]
            case .array:
                var prompts = [[Int]]()
                for item in items {
                    guard case let .array(inner) = item, let ids = RequestFields.integers(inner) else { throw fields.wrongType("prompt", expected) }
                    prompts.append(ids)
                }
                return prompts
            default:
                throw fields.wrongType("prompt", expected)
            }
        default:
            throw fields.wrongType("prompt", expected)
        }
    }
}
