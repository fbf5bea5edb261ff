import SwiftLLM

/// The completions one request asks for: each prompt (as token ids) times `n` choices,
/// with one set of sampling settings. Choice `i` of prompt `p` has index `p * n + i`, as
/// OpenAI numbers the choices of a batched prompt.
struct GenerationJob: Sendable {
    var prompts: [[Int]]
    var params: SamplingParams
    var choicesPerPrompt: Int

    var choiceCount: Int { prompts.count * choicesPerPrompt }
    var promptTokenCount: Int { prompts.reduce(0) { $0 + $1.count } }

    func promptIndex(ofChoice index: Int) -> Int { index / choicesPerPrompt }

    /// The engine request of one choice. With a seed, choice `i` of a prompt samples with
    /// `seed + i`, so the choices differ yet a repeated request repeats them.
    func request(forChoice index: Int) -> GenerationRequest {
        var params = params
        let offset = index % choicesPerPrompt
        if let seed = params.seed { params.seed = seed &+ offset }
        return GenerationRequest(prompt: .tokens(prompts[promptIndex(ofChoice: index)]), params: params)
    }

    /// Checks each prompt against the model and sets `params.maxTokens`: the requested
    /// count, else `defaultMaxTokens`, else what the context leaves, never beyond it.
    /// - Parameters:
    ///   - maxTokensField: the field the request set the limit with, for errors.
    ///   - promptField: `prompt` or `messages`, for errors.
    mutating func fitContext(requestedMaxTokens: Int?, maxTokensField: String, defaultMaxTokens: Int?, promptField: String,
                             model: any ServingModel) throws(APIError) {
        let limit = model.maxModelLength
        if let requested = requestedMaxTokens, requested < 1 {
            throw .invalidRequest("'\(maxTokensField)' must be at least 1, got \(requested)", param: maxTokensField)
        }
        var maxTokens = Int.max
        for prompt in prompts {
            guard !prompt.isEmpty else { throw .invalidRequest("The \(promptField) is empty.", param: promptField) }
            if let bad = prompt.first(where: { $0 < 0 || $0 >= model.vocabularySize }) {
                throw .invalidRequest("The \(promptField) contains token id \(bad), outside the vocabulary [0, \(model.vocabularySize)).",
                                      param: promptField)
            }
            let room = limit - prompt.count
            guard room >= 1 else {
                throw .invalidRequest(
                    "This model's maximum context length is \(limit) tokens. However, your \(promptField) has \(prompt.count) tokens, "
                        + "leaving no room for the completion. Please reduce the length of the \(promptField).",
                    param: promptField, code: "context_length_exceeded")
            }
            if let requested = requestedMaxTokens, requested > room {
                throw .invalidRequest(
                    "This model's maximum context length is \(limit) tokens. However, you requested \(prompt.count + requested) tokens "
                        + "(\(prompt.count) in the \(promptField), \(requested) in the completion). "
                        + "Please reduce the length of the \(promptField) or completion.",
                    param: maxTokensField, code: "context_length_exceeded")
            }
            maxTokens = min(maxTokens, requestedMaxTokens ?? min(defaultMaxTokens ?? room, room))
        }
        params.maxTokens = maxTokens
    }
}
