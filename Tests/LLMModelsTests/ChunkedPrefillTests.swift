import Foundation
import SwiftLLM
import Testing

/// A prompt prefilled in chunks of 1, 7 or 64 tokens, or in one piece, gives the same
/// tokens: each chunk attends to the cache the earlier chunks wrote.
@Suite("Chunked prefill")
struct ChunkedPrefillTests {
    @Test("Chunk sizes 1, 7, 64 and the whole prompt agree, alone and beside other requests")
    func chunkSizes() throws {
        let prompts = TinyEngine.prompts(3, lengths: 90...120, seed: 2)
        let params = SamplingParams(temperature: 0, maxTokens: 8, ignoreEOS: true)
        var outputs = [Int: [[Int]]]()
        for chunk in [1, 7, 64, 128] {
            let llm = try TinyEngine.llm(engine: EngineOptions(maxBatchTokens: chunk, blockSize: 16, kvCacheBytes: 4 << 20))
            outputs[chunk] = try llm.generate(prompts.map { .tokens($0) }, params: params).map(\.tokenIDs)
            if chunk > 1 { #expect(llm.metrics().steps < 3 * 120 / chunk + 30, "prompts went in chunks of up to \(chunk)") }
        }
        #expect(outputs[1] == outputs[128])
        #expect(outputs[7] == outputs[128])
        #expect(outputs[64] == outputs[128])
    }
}
