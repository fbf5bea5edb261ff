import Foundation
import SwiftLLM
import Testing

/// Full blocks of a finished request's KV are found again by content: a second request
/// sharing a long prefix computes only its new tokens and generates what a cold run does.
@Suite("Prefix caching")
struct PrefixCachingTests {
    @Test("A second request sharing a 1,000-token prefix computes only its new tokens")
    func sharedPrefix() throws {
        let options = EngineOptions(maxBatchTokens: 256, blockSize: 16, kvCacheBytes: 4 << 20)
        let llm = try TinyEngine.llm(engine: options, maxPositions: 2048)
        let prefix = TinyEngine.prompts(1, lengths: 1000...1000, seed: 3)[0]
        let first = prefix + [1, 2, 3], second = prefix + [4, 5, 6, 7, 8]
        let params = SamplingParams(temperature: 0, maxTokens: 8, ignoreEOS: true)
        _ = try llm.generate(GenerationRequest(prompt: .tokens(first), params: params))
        let before = llm.metrics()
        let warm = try llm.generate(GenerationRequest(prompt: .tokens(second), params: params))
        let after = llm.metrics()
        // 1,000 tokens are 62 full blocks (992 tokens); the rest is computed.
        #expect(warm.usage.cachedPromptTokens == 992)
        #expect(after.computedPromptTokens - before.computedPromptTokens == second.count - 992)
        #expect(after.prefixHitTokens - before.prefixHitTokens == 992)

        var coldOptions = options
        coldOptions.prefixCaching = false
        let cold = try TinyEngine.llm(engine: coldOptions, maxPositions: 2048)
        let coldResult = try cold.generate(GenerationRequest(prompt: .tokens(second), params: params))
        #expect(coldResult.usage.cachedPromptTokens == 0)
        #expect(coldResult.tokenIDs == warm.tokenIDs)
    }

    @Test("An identical prompt reuses all but its last token's block")
    func identicalPrompt() throws {
        let llm = try TinyEngine.llm(engine: EngineOptions(blockSize: 4, kvCacheBytes: 1 << 20))
        let prompt = Array(0..<32)
        let params = SamplingParams(temperature: 0, maxTokens: 4, ignoreEOS: true)
        let a = try llm.generate(GenerationRequest(prompt: .tokens(prompt), params: params))
        let b = try llm.generate(GenerationRequest(prompt: .tokens(prompt), params: params))
        #expect(a.tokenIDs == b.tokenIDs)
        // The last token must be computed for its logits, so its block is recomputed.
        #expect(b.usage.cachedPromptTokens == 28)
        #expect(llm.metrics().prefixHitRate > 0.4)
    }
}
