import SwiftLLM

/// A request to Triton's generate extension, in the inputs TensorRT-LLM's and vLLM's
/// Triton backends take: `text_input`, `max_tokens`, sampling inputs, either at the top
/// level or inside `parameters`.
struct TritonGenerateRequest {
    var job: GenerationJob
    /// Text to put before the generated text in a non-streaming answer (the input, unless
    /// `exclude_input_in_output`), as those backends answer by default.
    var outputPrefix: String
    var returnLogprobs: Bool
    var id: String?

    static let defaultMaxTokens = 16

    /// TensorRT-LLM's names for inputs that OpenAI's API calls otherwise.
    static let aliases = ["random_seed": "seed", "stop_words": "stop", "min_length": "min_tokens"]
    static let inputKeys = SamplingFields.keys.union(aliases.keys).union([
        "text_input", "max_tokens", "return_log_probs", "exclude_input_in_output", "stream",
    ])
    static let unsupportedKeys: Set<String> = [
        "bad_words", "end_id", "pad_id", "beam_width", "length_penalty", "return_context_logits", "return_generation_logits",
        "embedding_bias_words", "embedding_bias_weights", "lora_task_id", "lora_weights", "lora_config",
    ]

    init(_ body: RequestFields, model: any ServingModel) throws(APIError) {
        try body.checkKeys(known: Self.inputKeys.union(["id", "parameters"]), unsupported: Self.unsupportedKeys)
        id = try body.string("id")
        // Inputs given at the top level win over the same names in `parameters`.
        var merged = JinjaObject()
        let parameters = try body.object("parameters")?.object ?? JinjaObject()
        for (key, value) in parameters.pairs + body.object.pairs where key != "parameters" && key != "id" {
            merged[Self.aliases[key] ?? key] = value
        }
        let fields = RequestFields(object: merged)
        try fields.checkKeys(known: Self.inputKeys, unsupported: Self.unsupportedKeys)
        guard let text = try fields.string("text_input") else { throw .invalidRequest("'text_input' is required", param: "text_input") }
        var params = try SamplingFields.params(from: fields)
        _ = try fields.bool("stream")
        returnLogprobs = try fields.bool("return_log_probs") ?? false
        params.logprobs = returnLogprobs ? 0 : nil
        outputPrefix = try fields.bool("exclude_input_in_output") == true ? "" : text
        job = GenerationJob(prompts: [model.encode(text, addSpecialTokens: true)], params: params, choicesPerPrompt: 1)
        try job.fitContext(requestedMaxTokens: try fields.int("max_tokens"), maxTokensField: "max_tokens",
                           defaultMaxTokens: Self.defaultMaxTokens, promptField: "text_input", model: model)
        try SamplingFields.validate(job.params, vocabularySize: model.vocabularySize, logprobsField: "return_log_probs")
    }
}
