import Foundation
import SwiftLLM
import Testing

/// Overlapping steps (the next step enqueued before the current one's stop checks and
/// outputs, the default on GPUs) change no output: forced on here on the CPU, every
/// kind of stop, sampling on both paths, and preemption give what the plain loop gives.
@Suite("Overlapping steps")
struct OverlappedStepsTests {
    /// Greedy, seeded sampling with penalties, a stop string, a stop token id with
    /// logprobs (host sampling): stop strings and ids taken from a first greedy run, so
    /// that they do end requests early.
    static func requests(_ llm: LLM) throws -> [GenerationRequest] {
        let prompts = TinyEngine.prompts(24, lengths: 3...30, seed: 9)
        let probe = try llm.generate(prompts.map { .tokens($0) }, params: SamplingParams(temperature: 0, maxTokens: 16, ignoreEOS: true))
        return zip(prompts, probe).enumerated().map { i, pair in
            let (prompt, first) = pair
            let params: SamplingParams
            switch i % 4 {
            case 0: params = SamplingParams(temperature: 0, maxTokens: 12, ignoreEOS: true)
            case 1: params = SamplingParams(temperature: 0.9, topP: 0.9, repetitionPenalty: 1.2, seed: i, maxTokens: 9, ignoreEOS: true)
            case 2:
                let scalars = Array(first.text.unicodeScalars)
                let stop = scalars.count >= 8 ? String(String.UnicodeScalarView(scalars[5..<7])) : "zz"
                params = SamplingParams(temperature: 0, maxTokens: 16, stop: [stop], ignoreEOS: true)
            default:
                params = SamplingParams(temperature: 0, maxTokens: 14, minTokens: 1, stopTokenIDs: [first.tokenIDs[4]], ignoreEOS: true, logprobs: 2)
            }
            return GenerationRequest(prompt: .tokens(prompt), params: params)
        }
    }

    func compare(_ engine: EngineOptions) throws {
        var plain = engine, overlapped = engine
        plain.overlapSteps = false
        overlapped.overlapSteps = true
        let reference = try TinyEngine.llm(engine: plain)
        let candidate = try TinyEngine.llm(engine: overlapped)
        let requests = try Self.requests(reference)
        let expected = try reference.generate(requests)
        let got = try candidate.generate(requests)
        #expect(got.map(\.tokenIDs) == expected.map(\.tokenIDs))
        #expect(got.map(\.text) == expected.map(\.text))
        #expect(got.map(\.finishReason) == expected.map(\.finishReason))
        #expect(got.map { $0.logprobs.map(\.id) } == expected.map { $0.logprobs.map(\.id) })
        // The stops did fire: some requests ended early on a stop string and a stop id.
        #expect(expected.contains { if case .stop(.stopString) = $0.finishReason { true } else { false } })
        #expect(expected.contains { if case .stop(.stopTokenID) = $0.finishReason { true } else { false } })
        let metrics = candidate.metrics()
        #expect(metrics.kvBlocksUsed == 0 && metrics.runningSequences == 0)
        #expect(metrics.finishedSequences == requests.count)
    }

    @Test("Same outputs as the plain loop, host sampling")
    func hostSampling() throws {
        try compare(EngineOptions(maxBatchTokens: 64, maxSequences: 16, blockSize: 4, kvCacheBytes: 4 << 20))
    }

    @Test("Same outputs as the plain loop, the backend's sample op")
    func deviceSampling() throws {
        try compare(EngineOptions(maxBatchTokens: 64, maxSequences: 16, blockSize: 4, kvCacheBytes: 4 << 20, sampleOnDevice: true))
    }

    @Test("Same outputs as the plain loop under preemption")
    func preemption() throws {
        try compare(EngineOptions(maxBatchTokens: 32, blockSize: 4, kvCacheBytes: 48 << 10))
    }
}
