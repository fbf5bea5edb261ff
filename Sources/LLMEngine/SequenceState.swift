import LLMTokenizer

/// One completion the engine is generating, between steps: its sampler, stop checker,
/// detokenizer and token counts, the output so far, and its timing. (Which tokens are in
/// the cache, and where, is the scheduler's business.) A class: the engine reads and
/// updates every running one each step, and a struct read out of the dictionary was a
/// copy of all its fields.
final class SequenceState {
    /// The caller's request, and which of its `n` completions this is.
    let requestID: Int
    let index: Int
    let prompt: [Int]
    let params: SamplingParams
    var sampler: Sampler
    var stopChecker: StopChecker
    var detokenizer: StreamingDetokenizer
    var counts: TokenCounts
    var tokenIDs: [Int] = []
    var text = ""
    var logprobs: [SampledToken] = []
    var cachedPromptTokens = 0
    var timing: SequenceTiming

    init(requestID: Int, index: Int, prompt: [Int], params: SamplingParams, eosTokenIDs: [Int], tokenizer: Tokenizer, arrival: Double) {
        self.requestID = requestID
        self.index = index
        self.prompt = prompt
        self.params = params
        sampler = Sampler(params: params, eosTokenIDs: eosTokenIDs)
        stopChecker = StopChecker(params: params, eosTokenIDs: eosTokenIDs)
        detokenizer = StreamingDetokenizer(tokenizer: tokenizer, skipSpecialTokens: true)
        counts = TokenCounts(prompt: prompt)
        timing = SequenceTiming(arrival: arrival)
    }

    var usage: GenerationUsage {
        GenerationUsage(promptTokens: prompt.count, cachedPromptTokens: cachedPromptTokens, completionTokens: tokenIDs.count)
    }

    /// Samples from one row of logits on the host.
    func sample(logits: UnsafeMutableBufferPointer<Float>) -> SampledToken {
        // The chosen token's logprob costs a pass over the vocabulary; only asked-for ones are made.
        sampler.sample(logits: logits, context: SamplingContext(tokenCounts: counts, minTokens: params.minTokens),
                       reportLogprob: params.logprobs != nil)
    }

    /// Counts a sampled token as soon as it is read, before ``accept(_:at:)``: the next
    /// step's sampler (penalties, min-tokens masking) may be set up in between.
    func record(_ token: SampledToken) {
        counts.appendGenerated(token.id)
    }

    /// Whether this token ends the completion whatever its text (see
    /// ``StopChecker/finishes(onToken:)``).
    func finishes(on token: SampledToken) -> Bool {
        stopChecker.finishes(onToken: token.id)
    }

    /// Applies the stop conditions to a recorded token and keeps it.
    func accept(_ token: SampledToken, at time: Double) -> GenerationOutput {
        let keepLogprobs = params.logprobs != nil
        let decision = stopChecker.append(tokenID: token.id, textDelta: detokenizer.append(token.id))
        tokenIDs.append(token.id)
        text += decision.text
        if keepLogprobs { logprobs.append(token) }
        timing.recordToken(at: time)
        return GenerationOutput(index: index, tokenIDs: [token.id], textDelta: decision.text, logprobs: keepLogprobs ? [token] : [],
                                finishReason: decision.finishReason, usage: usage)
    }

    /// The finished completion.
    func result(_ reason: FinishReason) -> GenerationResult {
        GenerationResult(index: index, promptTokenIDs: prompt, tokenIDs: tokenIDs, text: text, logprobs: logprobs, finishReason: reason,
                         usage: usage, timings: timing.summary(promptTokens: prompt.count, generatedTokens: tokenIDs.count))
    }
}
