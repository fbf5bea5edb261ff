/// One token id with its log-probability.
public struct TokenLogprob: Sendable, Equatable, Hashable, Codable {
    /// The token id.
    public var id: Int
    /// Natural-log probability under the raw (unprocessed) logits.
    public var logprob: Float

    /// Pairs a token id with its log-probability.
    public init(id: Int, logprob: Float) {
        self.id = id
        self.logprob = logprob
    }
}

/// The result of one sampling step.
public struct SampledToken: Sendable, Equatable {
    /// The chosen token id.
    public var id: Int
    /// Log-probability of the chosen token under the raw logits (before bias, penalties,
    /// temperature and truncation, as vLLM's default `raw_logprobs`).
    public var logprob: Float
    /// The `logprobs` most likely tokens under the raw logits, most likely first (ties by
    /// lower id); empty when the request asked for none.
    public var topLogprobs: [TokenLogprob]

    /// Bundles a sampling result.
    public init(id: Int, logprob: Float, topLogprobs: [TokenLogprob] = []) {
        self.id = id
        self.logprob = logprob
        self.topLogprobs = topLogprobs
    }
}
