import Foundation
import SwiftLLM
import Testing

/// Gemma 2/3 and Phi-3 through the engine (scheduler, paged cache, chunked prefill,
/// several requests per step) give what one sequence run alone gives.
@Suite("New architectures through the engine")
struct NewArchitectureEngineTests {
    /// A GGUF vocabulary from the tokenizer fixtures: the engine needs a tokenizer, and
    /// token ids below 256 decode as well with it as with any other.
    static let tokenizer = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/tokenizer/ggml-vocab-gpt-2.gguf").path

    @Test("Greedy outputs of batched, chunked requests equal single runs", arguments: ["gemma2", "gemma3", "phi3"])
    func batchedEqualsSingle(name: String) throws {
        let folder = Fixtures.models.appendingPathComponent(name).path
        // Lengths around the Gemma window (8) and past it; chunks of 5 tokens per step.
        let prompts = TinyEngine.prompts(4, lengths: 6...40, seed: 11) + [Array(0..<33)]
        let steps = 10
        let harness = try ModelHarness(path: folder, backend: try CPUBackend(options: .init(threads: 2)))
        let single = try prompts.map { try harness.greedy($0, count: steps) }
        let llm = try LLM(model: folder, options: LLMOptions(device: .cpu, cpu: .init(threads: 2),
                                                            engine: EngineOptions(maxBatchTokens: 5, blockSize: 4, kvCacheBytes: 1 << 20),
                                                            tokenizerPath: Self.tokenizer))
        let params = SamplingParams(temperature: 0, maxTokens: steps, ignoreEOS: true)
        let batched = try llm.generate(prompts.map { .tokens($0) }, params: params).map(\.tokenIDs)
        #expect(batched == single)
    }
}
