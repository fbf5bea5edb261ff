import LLMTokenizer

/// Per-request state between steps: sampler, stop checker, detokenizer, token counts
/// and the cache blocks the sequence owns.
struct SequenceState {
    var sampler: Sampler
    var stopChecker: StopChecker
    var detokenizer: StreamingDetokenizer
    var counts: TokenCounts
    var blockTable: [Int32] = []
    let params: SamplingParams

    init(prompt: [Int], params: SamplingParams, eosTokenIDs: [Int], tokenizer: Tokenizer) {
        self.params = params
        sampler = Sampler(params: params, eosTokenIDs: eosTokenIDs)
        stopChecker = StopChecker(params: params, eosTokenIDs: eosTokenIDs)
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: true)
        counts = TokenCounts(prompt: prompt)
    }

    /// Samples from one row of logits and applies the stop conditions.
    mutating func step(logits: UnsafeMutableBufferPointer<Float>) -> GenerationOutput {
        let token = sampler.sample(logits: logits, context: SamplingContext(tokenCounts: counts, minTokens: params.minTokens))
        var output = accept(token)
        if params.logprobs != nil { output.logprobs = [token] }
        return output
    }
}
