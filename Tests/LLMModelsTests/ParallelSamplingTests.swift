import Foundation
import SwiftLLM
import Testing

/// `n > 1`: several completions of one prompt, sharing the prompt's cache blocks.
@Suite("Parallel sampling (n > 1)")
struct ParallelSamplingTests {
    @Test("n seeded completions: distinct samples, each equal to its own seed run alone, prompt blocks shared")
    func seeded() throws {
        let llm = try TinyEngine.llm(engine: EngineOptions(blockSize: 4, kvCacheBytes: 1 << 20))
        let prompt = Prompt.tokens(Array(10..<50))
        let params = SamplingParams(n: 3, temperature: 1, seed: 100, maxTokens: 12, ignoreEOS: true)
        let results = try llm.generate([prompt], params: params)
        #expect(results.map(\.index) == [0, 1, 2])
        #expect(Set(results.map(\.tokenIDs)).count == 3)
        for result in results {
            var alone = params
            alone.n = 1
            alone.seed = 100 + result.index
            #expect(try llm.generate(GenerationRequest(prompt: prompt, params: alone)).tokenIDs == result.tokenIDs)
        }
        // Completions after the first find the prompt's full blocks (36 of 40 tokens).
        #expect(results.map(\.usage.cachedPromptTokens) == [0, 36, 36])
    }

    @Test("Streaming n completions tells them apart by index")
    func streamed() async throws {
        let llm = try TinyEngine.llm(engine: EngineOptions(blockSize: 4, kvCacheBytes: 1 << 20))
        var tokens = [Int: [Int]]()
        var finished = 0
        for try await output in llm.stream(GenerationRequest(prompt: .tokens([1, 2, 3, 4, 5]), params: SamplingParams(n: 4, temperature: 0, maxTokens: 5, ignoreEOS: true))) {
            tokens[output.index, default: []] += output.tokenIDs
            if output.finishReason != nil { finished += 1 }
        }
        #expect(finished == 4)
        #expect(tokens.keys.sorted() == [0, 1, 2, 3])
        #expect(Set(tokens.values).count == 1, "greedy completions agree")
    }
}
