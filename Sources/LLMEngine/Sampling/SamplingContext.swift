/// What the sampler needs to know about a request's history at one step.
public struct SamplingContext: Sendable {
    /// Prompt ids and generated-token counts, for the penalties.
    public var tokenCounts: TokenCounts
    /// Whether EOS and stop token ids may be sampled yet; `false` masks them
    /// (min-tokens).
    public var eosAllowed: Bool

    /// A context with an explicit min-tokens decision.
    public init(tokenCounts: TokenCounts, eosAllowed: Bool) {
        self.tokenCounts = tokenCounts
        self.eosAllowed = eosAllowed
    }

    /// A context whose `eosAllowed` follows from `minTokens`: stop ids become allowed once
    /// `minTokens` tokens have been generated.
    public init(tokenCounts: TokenCounts, minTokens: Int) {
        self.init(tokenCounts: tokenCounts, eosAllowed: tokenCounts.generatedTotal >= minTokens)
    }
}
