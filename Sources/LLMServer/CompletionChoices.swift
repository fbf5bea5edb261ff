import SwiftLLM

/// A choice of a `/v1/completions` response or stream chunk.
struct CompletionChoice: Encodable {
    var index: Int
    var text: String
    var logprobs: CompletionLogprobs?
    var finishReason: FinishReason?

    private enum CodingKeys: String, CodingKey {
        case index, text, logprobs, finishReason = "finish_reason", stopReason = "stop_reason"
    }

    func encode(to encoder: any Encoder) throws {
        // OpenAI clients read `finish_reason: null` as "still running": nulls are written, not left out.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(text, forKey: .text)
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason?.openAIName, forKey: .finishReason)
        try container.encode(finishReason?.stopReason, forKey: .stopReason)
    }
}

/// A choice of a `/v1/chat/completions` response (`message`) or stream chunk (`delta`:
/// the first chunk of a choice carries the role, later ones the new text).
struct ChatChoice: Encodable {
    enum Part {
        case message(content: String)
        case delta(role: String?, content: String?)
    }

    var index: Int
    var part: Part
    var logprobs: ChatLogprobs?
    var finishReason: FinishReason?

    private enum CodingKeys: String, CodingKey {
        case index, message, delta, logprobs, finishReason = "finish_reason", stopReason = "stop_reason"
    }

    private enum MessageKeys: String, CodingKey {
        case role, content
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        switch part {
        case let .message(content):
            var message = container.nestedContainer(keyedBy: MessageKeys.self, forKey: .message)
            try message.encode("assistant", forKey: .role)
            try message.encode(content, forKey: .content)
        case let .delta(role, content):
            var delta = container.nestedContainer(keyedBy: MessageKeys.self, forKey: .delta)
            try delta.encodeIfPresent(role, forKey: .role)
            try delta.encodeIfPresent(content, forKey: .content)
        }
        try container.encode(logprobs, forKey: .logprobs)
        try container.encode(finishReason?.openAIName, forKey: .finishReason)
        try container.encode(finishReason?.stopReason, forKey: .stopReason)
    }
}
