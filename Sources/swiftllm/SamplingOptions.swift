import ArgumentParser
import SwiftLLM

/// Sampling flags, mapped one to one onto `SamplingParams`.
struct SamplingOptions: ParsableArguments {
    @Option(name: .long, help: "Most tokens to generate.") var maxTokens: Int = 128
    @Option(name: .long, help: "Temperature; 0 is greedy.") var temperature: Float = 0
    @Option(name: .long, help: "Keep the k most likely tokens (0 = off).") var topK: Int = 0
    @Option(name: .long, help: "Nucleus sampling mass.") var topP: Float = 1
    @Option(name: .long, help: "Drop tokens below min-p times the top probability.") var minP: Float = 0
    @Option(name: .long, help: "Repetition penalty (1 = off).") var repetitionPenalty: Float = 1
    @Option(name: .long, help: "Presence penalty.") var presencePenalty: Float = 0
    @Option(name: .long, help: "Frequency penalty.") var frequencyPenalty: Float = 0
    @Option(name: .long, help: "Random seed (same seed, same output).") var seed: Int?
    @Option(name: .long, help: "Stop string (repeatable).") var stop: [String] = []
    @Option(name: .long, help: "Stop token id (repeatable).") var stopTokenID: [Int] = []
    @Flag(name: .long, help: "Keep generating past end-of-sequence tokens.") var ignoreEOS = false
    @Option(name: .long, help: "Show the top N logprobs of each token.") var logprobs: Int?

    /// Checked as the flags are parsed, before any model loads (token ids against the
    /// vocabulary once it is known: `params(vocabSize:)`).
    func validate() throws {
        _ = try params(vocabSize: Int.max)
    }

    /// The parameters, checked for a model with `vocabSize` tokens.
    func params(vocabSize: Int) throws -> SamplingParams {
        let p = params()
        do {
            try p.validate(vocabSize: vocabSize)
        } catch {
            throw CLIFlagNames.restated(error)
        }
        return p
    }

    private func params() -> SamplingParams {
        var p = SamplingParams()
        p.maxTokens = maxTokens
        p.temperature = temperature
        p.topK = topK
        p.topP = topP
        p.minP = minP
        p.repetitionPenalty = repetitionPenalty
        p.presencePenalty = presencePenalty
        p.frequencyPenalty = frequencyPenalty
        p.seed = seed
        p.stop = stop
        p.stopTokenIDs = stopTokenID
        p.ignoreEOS = ignoreEOS
        p.logprobs = logprobs
        return p
    }
}
