import LLMTokenizer

/// What to generate from: text (tokenized with the model's tokenizer, special tokens
/// added as the tokenizer specifies) or token ids as they are.
public enum Prompt: Sendable, Equatable {
    case text(String)
    case tokens([Int])
}

public struct GenerationRequest: Sendable {
    public var prompt: Prompt
    public var params: SamplingParams

    public init(prompt: Prompt, params: SamplingParams) {
        self.prompt = prompt
        self.params = params
    }
}

/// What one engine step produced for a request.
public struct GenerationOutput: Sendable {
    /// Tokens sampled this step (one per step without speculative decoding).
    public var tokenIDs: [Int]
    /// Text that became final this step (stop-string look-ahead may hold some back).
    public var textDelta: String
    /// Sampled token details, with top logprobs when requested.
    public var logprobs: [SampledToken]
    public var finishReason: FinishReason?
}

/// The whole result of a finished request.
public struct GenerationResult: Sendable {
    public var promptTokenIDs: [Int]
    public var tokenIDs: [Int]
    public var text: String
    public var logprobs: [SampledToken]
    public var finishReason: FinishReason
    public var timings: GenerationTimings
}

/// Wall-clock split of a request: prefill ends when the first token is sampled.
public struct GenerationTimings: Sendable, Equatable {
    public var promptTokens: Int
    public var generatedTokens: Int
    public var prefillSeconds: Double
    public var decodeSeconds: Double

    /// Prompt tokens per second of prefill.
    public var prefillTokensPerSecond: Double { prefillSeconds > 0 ? Double(promptTokens) / prefillSeconds : 0 }
    /// Generated tokens per second after the first.
    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 && generatedTokens > 1 ? Double(generatedTokens - 1) / decodeSeconds : 0
    }
}
