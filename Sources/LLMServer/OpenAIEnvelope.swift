import SwiftLLM

/// The fields every completion and chat response and stream chunk has, around its choices.
struct OpenAIEnvelope<Choice: Encodable>: Encodable {
    var id: String
    /// `text_completion`, `chat.completion` or `chat.completion.chunk`.
    var object: String
    var created: Int
    var model: String
    var systemFingerprint: String
    var choices: [Choice]
    var usage: UsageField

    private enum CodingKeys: String, CodingKey {
        case id, object, created, model, systemFingerprint = "system_fingerprint", choices, usage
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(object, forKey: .object)
        try container.encode(created, forKey: .created)
        try container.encode(model, forKey: .model)
        try container.encode(systemFingerprint, forKey: .systemFingerprint)
        try container.encode(choices, forKey: .choices)
        switch usage {
        case .omitted: break
        case .null: try container.encodeNil(forKey: .usage)
        case let .value(usage): try container.encode(usage, forKey: .usage)
        }
    }
}

/// `usage` is left out of stream chunks unless `stream_options.include_usage` asks for it;
/// then every chunk carries `null` and the last one the counts.
enum UsageField {
    case omitted, null
    case value(Usage)
}

struct Usage: Encodable, Equatable {
    var promptTokens: Int
    var completionTokens: Int

    init(promptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
    }

    /// The counts of a whole request.
    init(job: GenerationJob, results: [ChoiceResult]) {
        self.init(promptTokens: job.promptTokenCount, completionTokens: results.reduce(0) { $0 + $1.tokenIDs.count })
    }

    private enum CodingKeys: String, CodingKey {
        case promptTokens = "prompt_tokens", completionTokens = "completion_tokens", totalTokens = "total_tokens"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(promptTokens, forKey: .promptTokens)
        try container.encode(completionTokens, forKey: .completionTokens)
        try container.encode(promptTokens + completionTokens, forKey: .totalTokens)
    }
}

/// vLLM's `stop_reason`: the stop string or stop token id that ended a choice.
enum StopReason: Encodable, Equatable {
    case string(String)
    case tokenID(Int)

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case let .string(text): try container.encode(text)
        case let .tokenID(id): try container.encode(id)
        }
    }
}

extension FinishReason {
    /// nil for end of sequence and length, which OpenAI and vLLM report as `null`.
    var stopReason: StopReason? {
        switch self {
        case let .stop(.stopString(text)): return .string(text)
        case let .stop(.stopTokenID(id)): return .tokenID(id)
        case .stop(.eos), .length: return nil
        }
    }
}
