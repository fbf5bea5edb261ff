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
                                                            engine: EngineOptions(maxBatchTokens: 5, blockSize: 4, kvCacheBytes: 1 << 20, kvCacheDType: .f32),
                                                            tokenizerPath: Self.tokenizer))
        let params = SamplingParams(temperature: 0, maxTokens: steps, ignoreEOS: true)
        let batched = try llm.generate(prompts.map { .tokens($0) }, params: params).map(\.tokenIDs)
        #expect(batched == single)
    }

    /// Phi-3 with `sliding_window` 6 on every layer: the engine gives back blocks that
    /// leave the window, so three requests of up to 38 tokens (10 blocks of 4 each) run
    /// at once in 12 blocks without preemption (keeping every block, they would need 30),
    /// and each still equals its single run (which keeps every block).
    @Test("All-windowed model: blocks leave the cache as sequences advance, outputs unchanged")
    func windowedBlocksAreReleased() throws {
        let folder = try Self.copy(of: "phi3", settingConfig: ["sliding_window": 6])
        defer { try? FileManager.default.removeItem(at: folder) }
        let prompts = TinyEngine.prompts(3, lengths: 20...28, seed: 5)
        let steps = 10
        let harness = try ModelHarness(path: folder.path, backend: try CPUBackend(options: .init(threads: 2)))
        let single = try prompts.map { try harness.greedy($0, count: steps) }
        let llm = try LLM(model: folder.path, options: LLMOptions(device: .cpu, cpu: .init(threads: 2),
                                                                 engine: EngineOptions(maxBatchTokens: 5, blockSize: 4, kvCacheBytes: 12 * 4 * 512, kvCacheDType: .f32),
                                                                 tokenizerPath: Self.tokenizer))
        #expect(llm.kvCachePlan.blockCount == 12)
        let outputs = try llm.generate(prompts.map { .tokens($0) }, params: SamplingParams(temperature: 0, maxTokens: steps, ignoreEOS: true))
        #expect(outputs.map(\.tokenIDs) == single)
        #expect(llm.metrics().preemptions == 0)
        #expect(llm.metrics().kvBlocksUsed == 0)
    }

    /// A fixture folder with some config keys replaced (same weights, linked).
    static func copy(of name: String, settingConfig changes: [String: Any]) throws -> URL {
        let source = Fixtures.models.appendingPathComponent(name)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftllm-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: source.appendingPathComponent("config.json"))) as! [String: Any]
        config.merge(changes) { $1 }
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("model.safetensors"),
                                                   withDestinationURL: source.appendingPathComponent("model.safetensors"))
        return folder
    }
}
