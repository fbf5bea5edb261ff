import SwiftLLM

/// The identity every response and chunk of one request repeats.
struct ResponseHeader: Sendable {
    var id: String
    var created: Int
    var model: String
    var systemFingerprint: String

    func envelope<Choice>(_ object: String, _ choices: [Choice], usage: UsageField) -> OpenAIEnvelope<Choice> {
        OpenAIEnvelope(id: id, object: object, created: created, model: model, systemFingerprint: systemFingerprint, choices: choices,
                       usage: usage)
    }
}

/// How an endpoint writes its answer: the whole response, or a stream of chunks.
protocol CompletionFormat: Sendable {
    /// Chunks sent before the first step.
    func openingChunks(choiceCount: Int) -> [any Encodable]
    /// The chunk carrying one step of one choice.
    mutating func chunk(for event: ChoiceStep) -> any Encodable
    /// Chunks sent after the last step: the token counts when `stream_options.include_usage` asked for them.
    func closingChunks(usage: Usage) -> [any Encodable]
    /// The non-streaming response.
    func response(_ results: [ChoiceResult], usage: Usage) -> any Encodable
    /// The event that reports a failure after the stream began.
    func errorChunk(_ error: APIError) -> any Encodable
    /// Whether the stream ends with `data: [DONE]`.
    var endsWithDone: Bool { get }
}

/// OpenAI's streams report failures in its error body and end with `[DONE]`.
extension CompletionFormat {
    func errorChunk(_ error: APIError) -> any Encodable { error.openAIBody }
    var endsWithDone: Bool { true }
}

/// `/v1/completions`: `text_completion` objects.
struct TextCompletionFormat: CompletionFormat {
    var header: ResponseHeader
    var includeUsage: Bool
    var logprobs: LogprobFormatter?
    /// Where each choice's next token starts in its text, for `text_offset`.
    var textOffsets: [Int]

    init(header: ResponseHeader, includeUsage: Bool, logprobs: LogprobFormatter?, choiceCount: Int) {
        self.header = header
        self.includeUsage = includeUsage
        self.logprobs = logprobs
        textOffsets = Array(repeating: 0, count: choiceCount)
    }

    func openingChunks(choiceCount: Int) -> [any Encodable] { [] }

    mutating func chunk(for event: ChoiceStep) -> any Encodable {
        let logprobs = self.logprobs?.completion(event.step.tokens, textOffset: &textOffsets[event.index])
        let choice = CompletionChoice(index: event.index, text: event.step.text, logprobs: logprobs, finishReason: event.step.finishReason)
        return header.envelope("text_completion", [choice], usage: includeUsage ? .null : .omitted)
    }

    func closingChunks(usage: Usage) -> [any Encodable] {
        includeUsage ? [header.envelope("text_completion", [CompletionChoice](), usage: .value(usage))] : []
    }

    func response(_ results: [ChoiceResult], usage: Usage) -> any Encodable {
        let choices = results.enumerated().map { index, result in
            var offset = 0
            return CompletionChoice(index: index, text: result.text, logprobs: logprobs?.completion(result.tokens, textOffset: &offset),
                                    finishReason: result.finishReason)
        }
        return header.envelope("text_completion", choices, usage: .value(usage))
    }
}

/// `/v1/chat/completions`: `chat.completion` and `chat.completion.chunk` objects.
struct ChatCompletionFormat: CompletionFormat {
    var header: ResponseHeader
    var includeUsage: Bool
    var logprobs: LogprobFormatter?

    /// Each choice opens with its role and empty content, as OpenAI streams do.
    func openingChunks(choiceCount: Int) -> [any Encodable] {
        (0..<choiceCount).map { index in
            header.envelope("chat.completion.chunk", [ChatChoice(index: index, part: .delta(role: "assistant", content: ""))],
                            usage: includeUsage ? .null : .omitted)
        }
    }

    mutating func chunk(for event: ChoiceStep) -> any Encodable {
        let choice = ChatChoice(index: event.index, part: .delta(role: nil, content: event.step.text),
                                logprobs: logprobs?.chat(event.step.tokens), finishReason: event.step.finishReason)
        return header.envelope("chat.completion.chunk", [choice], usage: includeUsage ? .null : .omitted)
    }

    func closingChunks(usage: Usage) -> [any Encodable] {
        includeUsage ? [header.envelope("chat.completion.chunk", [ChatChoice](), usage: .value(usage))] : []
    }

    func response(_ results: [ChoiceResult], usage: Usage) -> any Encodable {
        let choices = results.enumerated().map { index, result in
            ChatChoice(index: index, part: .message(content: result.text), logprobs: logprobs?.chat(result.tokens),
                       finishReason: result.finishReason)
        }
        return header.envelope("chat.completion", choices, usage: .value(usage))
    }
}
