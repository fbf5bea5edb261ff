import Foundation
import SwiftLLM
import Testing

/// The mixture-of-experts fixtures (Scripts/make_moe_fixtures.py) beyond the shared tiny
/// model checks: prompts of 1, 7 and 33 tokens each in a fresh cache, the other
/// checkpoint layouts of the same weights, and batching through the engine.
@Suite("Mixture-of-experts models")
struct MoEModelTests {
    static let names = ["mixtral-sw", "qwen3-moe"]

    func reference(_ name: String) throws -> (TinyModelTests.Reference, [Float], Float) {
        let folder = Fixtures.models.appendingPathComponent(name)
        let reference = try JSONDecoder().decode(TinyModelTests.Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
        let expected = try Fixtures.floats(folder.appendingPathComponent("logits.f32"))
        return (reference, expected, expected.max()! - expected.min()!)
    }

    func maxDifference(_ got: [Float], _ expected: [Float], position p: Int, vocab: Int) -> Float {
        zip(got, expected[p * vocab ..< (p + 1) * vocab]).map { abs($0 - $1) }.max()!
    }

    @Test("Prompts of 1, 7 and 33 tokens give transformers' last-position logits", arguments: names)
    func promptLengths(name: String) throws {
        let (reference, expected, range) = try reference(name)
        let vocab = reference.logits_shape[1]
        let backend = try CPUBackend(options: .init(threads: 2))
        for length in [1, 7, 33] {
            let harness = try ModelHarness(path: Fixtures.models.appendingPathComponent(name).path, backend: backend)
            let got = try harness.logits(Array(reference.input_ids.prefix(length)), start: 0)
            let diff = maxDifference(got, expected, position: length - 1, vocab: vocab)
            #expect(diff <= TinyModelTests.tolerance * range, "\(name) prompt of \(length): max diff \(diff), range \(range)")
        }
    }

    /// transformers 5's fused expert tensors and llama.cpp's merged GGUF tensors of the
    /// qwen3-moe weights give its reference logits.
    @Test("Fused (transformers 5) and GGUF expert layouts load to the same model", arguments: ["qwen3-moe-fused", "qwen3-moe-gguf/model.gguf"])
    func otherLayouts(path: String) throws {
        let (reference, expected, range) = try reference("qwen3-moe")
        let seq = reference.logits_shape[0], vocab = reference.logits_shape[1]
        let harness = try ModelHarness(path: Fixtures.models.appendingPathComponent(path).path, backend: try CPUBackend(options: .init(threads: 2)))
        let got = try harness.logits(reference.input_ids, start: 0)
        let diff = maxDifference(got, expected, position: seq - 1, vocab: vocab)
        #expect(diff <= TinyModelTests.tolerance * range, "\(path): max diff \(diff), range \(range)")
        #expect(try harness.greedy(reference.greedy_prompt_ids, count: reference.greedy_continuation.count) == reference.greedy_continuation)
    }

    @Test("Prompts batched through the engine equal each alone", arguments: names)
    func batchInvariance(name: String) throws {
        let llm = try TinyEngine.llm(name, engine: EngineOptions(maxBatchTokens: 48, maxSequences: 16, blockSize: 4, kvCacheBytes: 4 << 20))
        let prompts = TinyEngine.prompts(16, lengths: 1...40, seed: 7)
        let params = SamplingParams(temperature: 0, maxTokens: 8, ignoreEOS: true, logprobs: 1)
        let batched = try llm.generate(prompts.map { .tokens($0) }, params: params)
        for (prompt, result) in zip(prompts, batched) {
            let single = try llm.generate(GenerationRequest(prompt: .tokens(prompt), params: params))
            #expect(single.tokenIDs == result.tokenIDs)
            #expect(single.logprobs.map(\.logprob.bitPattern) == result.logprobs.map(\.logprob.bitPattern))
        }
    }

    @Test("Random weights (--load-format dummy) build both architectures and run a step")
    func randomWeights() throws {
        for name in Self.names {
            let json = try Data(contentsOf: Fixtures.models.appendingPathComponent(name).appendingPathComponent("config.json"))
            let backend = try CPUBackend(options: .init(threads: 2))
            let loader = WeightLoader(source: nil, backend: backend, expectedCount: 0, seed: 3, progress: nil)
            let model = try ModelRegistry.build(configJSON: json, weights: loader, limits: ForwardLimits(maxTokens: 8, maxLogitRows: 1))
            let cache = try PagedKVCache(backend: backend, layers: model.spec.layers, numBlocks: 4, blockSize: 4, kvHeads: model.spec.kvHeads,
                                         headDim: model.spec.headDim, dtype: .f32)
            let builder = try ForwardBatchBuilder(backend: backend, maxTokens: 8, maxSequences: 1, maxBlocksPerSequence: 4, blockSize: 4)
            let batch = try builder.build([SequenceChunk(tokens: [1, 2, 3, 4, 5], startPosition: 0, blockTable: [0, 1], needsLogits: true)])
            let logits = try backend.readFloats(model.forward(batch, cache: cache))
            #expect(logits.count == 256 && logits.allSatisfy(\.isFinite) && Set(logits).count > 200, "\(name)")
        }
    }
}
