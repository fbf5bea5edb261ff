import Testing
@testable import LLMEngine

@Suite struct SamplerProcessingTests {
    private let base: [Float] = [2.0, -1.0, 0.5, 3.0, -2.0, 1.0]

    /// Prompt [0, 1], generated [3, 3, 4].
    private var history: SamplingContext {
        var counts = TokenCounts(prompt: [0, 1, 0])
        counts.appendGenerated(contentsOf: [3, 3, 4])
        return SamplingContext(tokenCounts: counts, eosAllowed: true)
    }

    private func processed(_ params: SamplingParams, eos: [Int] = [], context: SamplingContext? = nil) -> [Float] {
        var sampler = Sampler(params: params, eosTokenIDs: eos)
        var logits = base
        _ = sampler.sample(logits: &logits, context: context ?? history)
        return logits
    }

    @Test func repetitionPenaltyCoversPromptAndGenerated() {
        // Positive logits divided by 2, negative multiplied; ids 2 and 5 unseen.
        #expect(processed(SamplingParams(temperature: 0, repetitionPenalty: 2)) == [1.0, -2.0, 0.5, 1.5, -4.0, 1.0])
    }

    @Test func frequencyPenaltyScalesWithGeneratedCount() {
        #expect(processed(SamplingParams(temperature: 0, frequencyPenalty: 0.5)) == [2.0, -1.0, 0.5, 2.0, -2.5, 1.0])
    }

    @Test func presencePenaltyAppliesOncePerGeneratedToken() {
        #expect(processed(SamplingParams(temperature: 0, presencePenalty: 0.25)) == [2.0, -1.0, 0.5, 2.75, -2.25, 1.0])
    }

    @Test func penaltiesComposeInVLLMOrder() {
        let params = SamplingParams(temperature: 0, repetitionPenalty: 2, presencePenalty: 0.25, frequencyPenalty: 0.5)
        // Repetition first: id 3 -> 1.5, then - 2 * 0.5 - 0.25; id 4 -> -4 - 0.5 - 0.25.
        #expect(processed(params) == [1.0, -2.0, 0.5, 0.25, -4.75, 1.0])
        var sampler = Sampler(params: params)
        var logits = base
        let token = sampler.sample(logits: &logits, context: history)
        #expect(token.id == 0)  // ids 0 and 5 tie at 1.0 after penalties; lower id wins
        let raw = referenceLogSoftmax(base)
        #expect(abs(Double(token.logprob) - raw[0]) < 1e-5)
    }

    @Test func logitBiasAddsToTheBiasedIDs() {
        let params = SamplingParams(temperature: 0, logitBias: [0: 5, 3: -2.5])
        let context = SamplingContext(tokenCounts: TokenCounts(), eosAllowed: true)
        #expect(processed(params, context: context) == [7.0, -1.0, 0.5, 0.5, -2.0, 1.0])
        var sampler = Sampler(params: params)
        var logits = base
        let token = sampler.sample(logits: &logits, context: context)
        #expect(token.id == 0)
        #expect(abs(Double(token.logprob) - referenceLogSoftmax(base)[0]) < 1e-5)
    }

    @Test func minTokensMasksEOSAndStopIDs() {
        let notYet = SamplingContext(tokenCounts: TokenCounts(), eosAllowed: false)
        // EOS is id 3 (the argmax); stop id 0 is next.
        var masked = processed(SamplingParams(temperature: 0, stopTokenIDs: [0]), eos: [3], context: notYet)
        #expect(masked[3] == -.infinity && masked[0] == -.infinity)
        masked[3] = base[3]
        masked[0] = base[0]
        #expect(masked == base)

        var sampler = Sampler(params: SamplingParams(temperature: 0, stopTokenIDs: [0]), eosTokenIDs: [3])
        var logits = base
        #expect(sampler.sample(logits: &logits, context: notYet).id == 5)
        logits = base
        #expect(sampler.sample(logits: &logits, context: freeContext).id == 3)

        // ignoreEOS: EOS is never masked (stop ids still are).
        var ignoring = Sampler(params: SamplingParams(temperature: 0, ignoreEOS: true), eosTokenIDs: [3])
        logits = base
        #expect(ignoring.sample(logits: &logits, context: notYet).id == 3)

        // Masking wins over a positive bias, also when drawing.
        var drawing = Sampler(params: SamplingParams(seed: 3, logitBias: [3: 50]), eosTokenIDs: [3])
        for _ in 0..<100 {
            logits = base
            #expect(drawing.sample(logits: &logits, context: notYet).id != 3)
        }
    }

    @Test func logprobsAreRawLogSoftmaxSortedDescending() {
        let logits: [Float] = [1, 3, 2, 3, -1]
        var sampler = Sampler(params: SamplingParams(temperature: 0, repetitionPenalty: 1.5, logprobs: 3, logitBias: [4: 10]))
        var counts = TokenCounts(prompt: [1])
        counts.appendGenerated(3)
        var row = logits
        let token = sampler.sample(logits: &row, context: SamplingContext(tokenCounts: counts, eosAllowed: true))
        let raw = referenceLogSoftmax(logits)
        #expect(token.id == 4)  // chosen because of the bias...
        #expect(abs(Double(token.logprob) - raw[4]) < 1e-5)  // ...but reported under raw logits
        #expect(token.topLogprobs.map(\.id) == [1, 3, 2])  // tie 1/3 broken by lower id
        for entry in token.topLogprobs {
            #expect(abs(Double(entry.logprob) - raw[entry.id]) < 1e-5)
        }
    }

    @Test func topLogprobsOnLargeVocabularyMatchFullSort() {
        let logits = makeLogits(count: 50_000, seed: 5, scale: 8)
        var sampler = Sampler(params: SamplingParams(seed: 1, logprobs: 20))
        var row = logits
        let token = sampler.sample(logits: &row, context: freeContext)
        let raw = referenceLogSoftmax(logits)
        let expected = logits.indices.sorted { (logits[$0], -$0) > (logits[$1], -$1) }.prefix(20)
        #expect(token.topLogprobs.map(\.id) == Array(expected))
        #expect(zip(token.topLogprobs, token.topLogprobs.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
        for entry in token.topLogprobs { #expect(abs(Double(entry.logprob) - raw[entry.id]) < 1e-4) }
        #expect(abs(Double(token.logprob) - raw[token.id]) < 1e-4)
    }

    @Test func noTopLogprobsUnlessAsked() {
        var sampler = Sampler(params: SamplingParams(temperature: 0))
        var row = base
        #expect(sampler.sample(logits: &row, context: freeContext).topLogprobs.isEmpty)
        var zero = Sampler(params: SamplingParams(temperature: 0, logprobs: 0))
        row = base
        #expect(zero.sample(logits: &row, context: freeContext).topLogprobs.isEmpty)
    }
}
