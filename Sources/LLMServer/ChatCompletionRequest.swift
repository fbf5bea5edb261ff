import SwiftLLM

/// A `/v1/chat/completions` request, its conversation rendered with the model's chat
/// template and checked against the model.
struct ChatCompletionRequest {
    var delivery: DeliveryOptions
    var job: GenerationJob
    /// Top logprobs per token; nil returns no logprobs.
    var topLogprobs: Int?

    static let roles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    static let knownKeys = SamplingFields.keys.union(DeliveryOptions.keys).union([
        "messages", "max_tokens", "max_completion_tokens", "logprobs", "top_logprobs", "add_generation_prompt",
        "chat_template_kwargs", "response_format", "echo", "continue_final_message",
    ])
    static let unsupportedKeys: Set<String> = [
        "tools", "tool_choice", "functions", "function_call", "parallel_tool_calls", "audio", "modalities", "prediction",
        "web_search_options", "reasoning_effort", "chat_template", "documents", "metadata", "store", "service_tier",
        "guided_json", "guided_regex", "guided_choice", "guided_grammar", "use_beam_search", "allowed_token_ids", "bad_words",
        "truncate_prompt_tokens", "skip_special_tokens", "priority",
    ]

    init(_ fields: RequestFields, model: any ServingModel, configuration: ServerConfiguration) throws(APIError) {
        try fields.checkKeys(known: Self.knownKeys, unsupported: Self.unsupportedKeys)
        delivery = try DeliveryOptions.read(fields, configuration: configuration)
        if try fields.bool("echo") == true { throw .unsupported("echo") }
        if try fields.bool("continue_final_message") == true { throw .unsupported("continue_final_message") }
        if let format = try fields.object("response_format") {
            let type = try format.string("type") ?? "text"
            guard type == "text" else { throw .unsupported("response_format", "of type '\(type)' is not supported by this server") }
        }
        let prompt = try Self.promptTokens(fields, model: model)
        var params = try SamplingFields.params(from: fields)
        let logprobs = try fields.bool("logprobs") ?? false
        let top = try fields.int("top_logprobs")
        if top != nil, !logprobs {
            throw .invalidRequest("'top_logprobs' requires 'logprobs' to be true", param: "top_logprobs")
        }
        topLogprobs = logprobs ? top ?? 0 : nil
        params.logprobs = topLogprobs
        job = GenerationJob(prompts: [prompt], params: params, choicesPerPrompt: delivery.choices)
        let maxTokensField = fields.has("max_completion_tokens") ? "max_completion_tokens" : "max_tokens"
        try job.fitContext(requestedMaxTokens: try fields.int(maxTokensField), maxTokensField: maxTokensField, defaultMaxTokens: nil,
                           promptField: "messages", model: model)
        try SamplingFields.validate(job.params, vocabularySize: model.vocabularySize, logprobsField: "top_logprobs")
    }

    /// The conversation rendered by the chat template, as token ids.
    static func promptTokens(_ fields: RequestFields, model: any ServingModel) throws(APIError) -> [Int] {
        guard let items = try fields.array("messages") else { throw .invalidRequest("'messages' is required", param: "messages") }
        guard !items.isEmpty else { throw .invalidRequest("'messages' must contain at least one message", param: "messages") }
        var messages = [JinjaValue]()
        for (index, item) in items.enumerated() {
            messages.append(try message(item, at: index))
        }
        var variables = [String: JinjaValue]()
        if let kwargs = try fields.object("chat_template_kwargs") {
            for (key, value) in kwargs.object.pairs { variables[key] = value }
        }
        let addGenerationPrompt = try fields.bool("add_generation_prompt") ?? true
        do {
            return try model.chatPromptTokens(messages, addGenerationPrompt: addGenerationPrompt, templateVariables: variables)
        } catch let error as ChatTemplateError {
            throw .invalidRequest("The chat template could not render these messages: \(error.message)", param: "messages")
        } catch let error as EngineError {
            throw .invalidRequest("\(error)", param: "messages")
        } catch {
            throw .internalError("Rendering the chat template failed: \(error)")
        }
    }

    /// One message checked and made ready for the template: a known role, and content
    /// that is text (content parts of type `text` are joined with newlines, as vLLM does).
    static func message(_ item: JinjaValue, at index: Int) throws(APIError) -> JinjaValue {
        let param = "messages[\(index)]"
        guard case let .object(object) = item else {
            throw .invalidRequest("'\(param)' must be an object, got \(RequestFields.typeName(item))", param: param)
        }
        let fields = RequestFields(object: object, path: param + ".")
        guard let role = try fields.string("role") else { throw .invalidRequest("'\(param).role' is required", param: param + ".role") }
        guard roles.contains(role) else {
            throw .invalidRequest("'\(param).role' must be one of \(roles.sorted().joined(separator: ", ")), got '\(role)'", param: param + ".role")
        }
        var prepared = object
        switch fields.value("content") {
        case .string?:
            break
        case let .array(parts)?:
            prepared["content"] = .string(try text(ofParts: parts, param: param + ".content"))
        case nil:
            guard role == "assistant", fields.has("tool_calls") else {
                throw .invalidRequest("'\(param).content' is required", param: param + ".content")
            }
        case let other?:
            throw .invalidRequest("'\(param).content' must be a string or an array of content parts, got \(RequestFields.typeName(other))",
                                  param: param + ".content")
        }
        return .object(prepared)
    }

    static func text(ofParts parts: [JinjaValue], param: String) throws(APIError) -> String {
        var texts = [String]()
        for (index, part) in parts.enumerated() {
            guard case let .object(object) = part else {
                throw .invalidRequest("'\(param)[\(index)]' must be a content part object", param: param)
            }
            let fields = RequestFields(object: object, path: "\(param)[\(index)].")
            let type = try fields.string("type") ?? "text"
            guard type == "text" else { throw .unsupported("\(param)[\(index)]", "of type '\(type)' is not supported: this model takes text only") }
            guard let text = try fields.string("text") else { throw .invalidRequest("'\(param)[\(index)].text' is required", param: param) }
            texts.append(text)
        }
        return texts.joined(separator: "\n")
    }
}
