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
    /// Lower values are scheduled first and preempted last (vLLM's `priority`); equal
    /// priorities are served first come, first served.
    public var priority: Int

    public init(prompt: Prompt, params: SamplingParams, priority: Int = 0) {
        self.prompt = prompt
        self.params = params
        self.priority = priority
    }
}

/// Token counts of a request so far, as OpenAI's `usage` reports them.
public struct GenerationUsage: Sendable, Equatable {
    public var promptTokens: Int
    /// Prompt tokens whose KV came from the prefix cache instead of being computed.
    public var cachedPromptTokens: Int
    public var completionTokens: Int

    public init(promptTokens: Int, cachedPromptTokens: Int, completionTokens: Int) {
        self.promptTokens = promptTokens
        self.cachedPromptTokens = cachedPromptTokens
        self.completionTokens = completionTokens
    }
}

/// What one engine step produced for one completion of a request.
public struct GenerationOutput: Sendable {
    /// Which completion (`0..<n`) this is.
    public var index: Int
    /// Tokens sampled this step (one per step without speculative decoding).
    public var tokenIDs: [Int]
    /// Text that became final this step (stop-string look-ahead may hold some back).
    public var textDelta: String
    /// Sampled token details, with top logprobs when requested.
    public var logprobs: [SampledToken]
    public var finishReason: FinishReason?
    /// Counts up to and including this step.
    public var usage: GenerationUsage

    public init(index: Int = 0, tokenIDs: [Int], textDelta: String, logprobs: [SampledToken], finishReason: FinishReason?,
                usage: GenerationUsage = GenerationUsage(promptTokens: 0, cachedPromptTokens: 0, completionTokens: 0)) {
        self.index = index
        self.tokenIDs = tokenIDs
        self.textDelta = textDelta
        self.logprobs = logprobs
        self.finishReason = finishReason
        self.usage = usage
    }
}

/// The whole result of one finished completion.
public struct GenerationResult: Sendable {
    /// Which completion (`0..<n`) of its request this is.
    public var index: Int
    public var promptTokenIDs: [Int]
    public var tokenIDs: [Int]
    public var text: String
    public var logprobs: [SampledToken]
    public var finishReason: FinishReason
    public var usage: GenerationUsage
    public var timings: GenerationTimings
}

/// Wall-clock split of a completion, measured from its submission: prefill ends when
/// the first token is sampled (so it includes time spent waiting for a batch slot).
public struct GenerationTimings: Sendable, Equatable {
    public var promptTokens: Int
    public var generatedTokens: Int
    /// Submission to the first token (time to first token).
    public var prefillSeconds: Double
    /// First token to the last.
    public var decodeSeconds: Double
    /// Submission to the first step that computed any of its tokens.
    public var queuedSeconds: Double
    /// Time between consecutive tokens (inter-token latencies), one per token after the first.
    public var interTokenSeconds: [Double]

    public init(promptTokens: Int, generatedTokens: Int, prefillSeconds: Double, decodeSeconds: Double,
                queuedSeconds: Double = 0, interTokenSeconds: [Double] = []) {
        self.promptTokens = promptTokens
        self.generatedTokens = generatedTokens
        self.prefillSeconds = prefillSeconds
        self.decodeSeconds = decodeSeconds
        self.queuedSeconds = queuedSeconds
        self.interTokenSeconds = interTokenSeconds
    }

    /// Prompt tokens per second of prefill.
    public var prefillTokensPerSecond: Double { prefillSeconds > 0 ? Double(promptTokens) / prefillSeconds : 0 }
    /// Generated tokens per second after the first.
    public var decodeTokensPerSecond: Double {
        decodeSeconds > 0 && generatedTokens > 1 ? Double(generatedTokens - 1) / decodeSeconds : 0
    }
}
