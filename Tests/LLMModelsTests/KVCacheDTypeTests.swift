import Foundation
import SwiftLLM
import Testing

/// `EngineOptions.kvCacheDType`: the CPU reads f16 (its default in fast mode) and f32 (its
/// default in exact mode) caches.
@Suite("KV cache element type")
struct KVCacheDTypeTests {
    /// Twelve prompts batched and chunked through an f16 cache equal each prompt run alone
    /// through it (the cache's rounding is the same whoever shares the step), and the same
    /// byte budget holds twice the blocks of an f32 cache. Unset, the type is f16 in fast
    /// mode and f32 in exact mode.
    @Test("An f16 cache on the CPU: batch invariant, twice the tokens per byte")
    func halfCacheOnTheCPU() throws {
        let budget = 1 << 20
        let half = try TinyEngine.llm(engine: EngineOptions(maxBatchTokens: 24, blockSize: 4, kvCacheBytes: budget))
        let full = try TinyEngine.llm(engine: EngineOptions(maxBatchTokens: 24, blockSize: 4, kvCacheBytes: budget, kvCacheDType: .f32))
        let exact = try TinyEngine.llm(engine: EngineOptions(maxBatchTokens: 24, blockSize: 4, kvCacheBytes: budget), exact: true)
        #expect(half.kvCachePlan.dtype == .f16 && full.kvCachePlan.dtype == .f32 && exact.kvCachePlan.dtype == .f32)
        #expect(half.kvCachePlan.blockCount == 2 * full.kvCachePlan.blockCount)

        let prompts = TinyEngine.prompts(12, lengths: 3...30, seed: 21)
        let params = SamplingParams(temperature: 0, maxTokens: 12, ignoreEOS: true)
        let batched = try half.generate(prompts.map { .tokens($0) }, params: params).map(\.tokenIDs)
        let alone = try prompts.map { try half.generate([.tokens($0)], params: params)[0].tokenIDs }
        #expect(batched == alone)
    }

    @Test("A cache type the backend cannot read is a typed error naming the field", arguments: [DType.bf16, .f8_e4m3])
    func unsupportedType(dtype: DType) throws {
        do {
            _ = try TinyEngine.llm(engine: EngineOptions(kvCacheBytes: 1 << 20, kvCacheDType: dtype))
            Issue.record("a \(dtype) cache on the CPU was accepted")
        } catch let EngineError.invalidOption(field, expected, found) {
            #expect(field == "kvCacheDType" && found == dtype.rawValue)
            #expect(expected.contains("f32") && expected.contains("f16"))
        }
    }
}
