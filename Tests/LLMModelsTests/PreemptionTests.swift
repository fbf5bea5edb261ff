import Foundation
import SwiftLLM
import Testing

/// With a deliberately tiny KV cache, concurrent requests outgrow it: the newest is
/// preempted, recomputed later, and everything finishes with the outputs a large cache
/// gives. Nothing is lost and no client sees an error.
@Suite("Preemption under a tiny KV cache")
struct PreemptionTests {
    @Test("32 concurrent requests finish with the same outputs as with a large cache")
    func sameOutputs() throws {
        let prompts = TinyEngine.prompts(32, lengths: 8...40, seed: 4)
        let params = SamplingParams(temperature: 0, maxTokens: 24, ignoreEOS: true)
        // 64 KiB = 128 tokens: room for about two requests at their full length.
        let tiny = try TinyEngine.llm(engine: EngineOptions(maxBatchTokens: 64, blockSize: 4, kvCacheBytes: 64 << 10))
        let large = try TinyEngine.llm(engine: EngineOptions(maxBatchTokens: 64, blockSize: 4, kvCacheBytes: 8 << 20))
        let squeezed = try tiny.generate(prompts.map { .tokens($0) }, params: params)
        let roomy = try large.generate(prompts.map { .tokens($0) }, params: params)
        #expect(squeezed.map(\.tokenIDs) == roomy.map(\.tokenIDs))
        #expect(squeezed.allSatisfy { $0.tokenIDs.count == 24 && $0.finishReason == .length })
        let metrics = tiny.metrics()
        #expect(metrics.preemptions > 0)
        #expect(metrics.kvBlocksUsed == 0)
        #expect(large.metrics().preemptions == 0)
    }

    @Test("Sampled (seeded) requests also resume with the same tokens")
    func seededSampling() throws {
        let prompts = TinyEngine.prompts(12, lengths: 8...20, seed: 5)
        let params = SamplingParams(temperature: 0.8, topP: 0.9, seed: 11, maxTokens: 20, ignoreEOS: true)
        let tiny = try TinyEngine.llm(engine: EngineOptions(blockSize: 4, kvCacheBytes: 32 << 10))
        let large = try TinyEngine.llm(engine: EngineOptions(blockSize: 4, kvCacheBytes: 8 << 20))
        #expect(try tiny.generate(prompts.map { .tokens($0) }, params: params).map(\.tokenIDs)
                == large.generate(prompts.map { .tokens($0) }, params: params).map(\.tokenIDs))
        #expect(tiny.metrics().preemptions > 0)
    }

    @Test("A prompt longer than the context is rejected with a typed error")
    func rejection() throws {
        let llm = try TinyEngine.llm(engine: EngineOptions(blockSize: 4, kvCacheBytes: 32 << 10, kvCacheDType: .f32))
        #expect(llm.maxModelLength == 64)
        #expect(throws: EngineError.promptTooLong(tokens: 64, limit: 64)) {
            try llm.generate(GenerationRequest(prompt: .tokens([Int](repeating: 1, count: 64)), params: .greedy))
        }
    }
}
