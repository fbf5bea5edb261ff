import Foundation
import SwiftLLM
import Testing

/// Greedy outputs of many different prompts submitted together equal each prompt run
/// alone: batching, chunked prefill beside decoding, and paging change nothing.
@Suite("Batch invariance")
struct BatchInvarianceTests {
    static let greedy = SamplingParams(temperature: 0, maxTokens: 10, ignoreEOS: true)

    func together(_ llm: LLM, _ prompts: [[Int]]) throws -> [[Int]] {
        try llm.generate(prompts.map { .tokens($0) }, params: Self.greedy).map(\.tokenIDs)
    }

    func alone(_ llm: LLM, _ prompts: [[Int]]) throws -> [[Int]] {
        try prompts.map { try llm.generate(GenerationRequest(prompt: .tokens($0), params: Self.greedy)).tokenIDs }
    }

    @Test("64 prompts together equal each alone (tiny model)")
    func tinyModel() throws {
        let llm = try TinyEngine.llm(engine: EngineOptions(maxBatchTokens: 48, maxSequences: 64, blockSize: 4, kvCacheBytes: 4 << 20))
        let prompts = TinyEngine.prompts(64, lengths: 1...40, seed: 1)
        let batched = try together(llm, prompts)
        #expect(try batched == alone(llm, prompts))
        let metrics = llm.metrics()
        #expect(metrics.finishedSequences == 128)
        #expect(metrics.computedTokens > 0 && metrics.kvBlocksUsed == 0)
    }

    @Test("SmolLM2 in fast mode (8-bit activations): prompts together equal each alone, bit for bit in the logprobs")
    func quantizedModel() throws {
        let llm = try LLM(model: Fixtures.smolLM2, options: LLMOptions(device: .cpu, cpu: .init(threads: 2),
                                                                     engine: EngineOptions(maxBatchTokens: 64, kvCacheBytes: 32 << 20)))
        let texts = ["The capital of France is", "def fibonacci(n):", "Once upon a time", "1, 2, 3, 4,", "Swift is a", "The rain in Spain",
                     "To be or not to be", "SELECT * FROM"]
        let prompts = texts.map { llm.tokenizer.encode($0, addSpecialTokens: false) }
        let params = SamplingParams(temperature: 0, maxTokens: 6, ignoreEOS: true, logprobs: 1)
        let batched = try llm.generate(prompts.map { .tokens($0) }, params: params)
        for (prompt, result) in zip(prompts, batched) {
            let single = try llm.generate(GenerationRequest(prompt: .tokens(prompt), params: params))
            #expect(single.tokenIDs == result.tokenIDs)
            #expect(single.logprobs.map(\.logprob.bitPattern) == result.logprobs.map(\.logprob.bitPattern))
        }
    }
}
