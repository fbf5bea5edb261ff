import Foundation
import SwiftLLM
import Testing

/// Tiny random-weight models of each architecture and RoPE scaling, against logits
/// transformers computed from the same (bf16-rounded) weights in f32.
@Suite("Tiny models against transformers")
struct TinyModelTests {
    struct Reference: Decodable {
        var input_ids: [Int]
        var logits_shape: [Int]
        var greedy_prompt_ids: [Int]
        var greedy_continuation: [Int]
        /// LongRoPE only: transformers' cached forward without generate()'s cache reset
        /// at the switch to the long factors, which is what a paged cache computes.
        var greedy_continuation_cached_forward: [Int]?
    }

    static let names = ["llama-llama3", "llama-llama3-smooth", "llama-linear", "llama-dynamic", "llama-yarn", "mistral", "qwen2", "qwen3",
                        "gemma2", "gemma3", "phi3", "phi3-longrope", "mixtral-sw", "qwen3-moe"]

    /// Models whose RoPE frequencies follow the step's longest position (dynamic NTK,
    /// LongRoPE): only a whole-sequence forward sees transformers' single frequency set.
    static let lengthDependentRoPE: Set<String> = ["llama-dynamic", "phi3-longrope"]

    // Both sides compute in f32 from identical weights; the difference is summation order
    // only, so 1e-4 of the logit range is generous yet far below any real bug.
    static let tolerance: Float = 1e-4

    @Test("Logits at every position, prefilled and decoded token by token", arguments: names)
    func logits(name: String) throws {
        let folder = Fixtures.models.appendingPathComponent(name)
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
        let expected = try Fixtures.floats(folder.appendingPathComponent("logits.f32"))
        let (seq, vocab) = (reference.logits_shape[0], reference.logits_shape[1])
        let backend = try CPUBackend(options: .init(threads: 2))
        let harness = try ModelHarness(path: folder.path, backend: backend)
        let range = (expected.max()! - expected.min()!)
        func check(_ got: [Float], position: Int, _ how: String) {
            let want = Array(expected[position * vocab ..< (position + 1) * vocab])
            let diff = zip(got, want).map { abs($0 - $1) }.max()!
            #expect(diff <= Self.tolerance * range, "\(name) \(how) position \(position): max diff \(diff), range \(range)")
        }
        // Whole prompt in one forward.
        check(try harness.logits(reference.input_ids, start: 0), position: seq - 1, "prefill")
        guard !Self.lengthDependentRoPE.contains(name) else { return }
        for p in 0..<seq {
            check(try harness.logits([reference.input_ids[p]], start: p), position: p, "decode")
        }
        // Chunks of 7 through the same cache.
        var p = 0
        while p < seq {
            let end = min(seq, p + 7)
            check(try harness.logits(Array(reference.input_ids[p..<end]), start: p), position: end - 1, "chunk")
            p = end
        }
    }

    @Test("Greedy continuation equals transformers' generate", arguments: names)
    func greedy(name: String) throws {
        let folder = Fixtures.models.appendingPathComponent(name)
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
        let harness = try ModelHarness(path: folder.path, backend: try CPUBackend(options: .init(threads: 2)))
        let tokens = try harness.greedy(reference.greedy_prompt_ids, count: reference.greedy_continuation.count)
        #expect(tokens == reference.greedy_continuation_cached_forward ?? reference.greedy_continuation)
    }

    /// The same tiny models as llama.cpp's converter writes them (GGUF names and
    /// metadata, Gemma norms stored as 1 + w, Phi-3's fused tensors and LongRoPE factor
    /// tensors) give the safetensors reference.
    @Test("GGUF files of the tiny models give transformers' logits", arguments: ["gemma3", "phi3-longrope", "qwen2", "qwen3"])
    func gguf(name: String) throws {
        let folder = Fixtures.models.appendingPathComponent(name)
        let reference = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
        let expected = try Fixtures.floats(folder.appendingPathComponent("logits.f32"))
        let (seq, vocab) = (reference.logits_shape[0], reference.logits_shape[1])
        let harness = try ModelHarness(path: folder.appendingPathComponent("model.gguf").path, backend: try CPUBackend(options: .init(threads: 2)))
        let range = expected.max()! - expected.min()!
        let got = try harness.logits(reference.input_ids, start: 0)
        let diff = zip(got, expected[(seq - 1) * vocab ..< seq * vocab]).map { abs($0 - $1) }.max()!
        #expect(diff <= Self.tolerance * range, "\(name) GGUF: max diff \(diff), range \(range)")
        let tokens = try harness.greedy(reference.greedy_prompt_ids, count: reference.greedy_continuation.count)
        #expect(tokens == reference.greedy_continuation_cached_forward ?? reference.greedy_continuation)
    }
}

/// llama.cpp stores Llama 3.1 scaling as per-frequency divisors (`rope_freqs.weight`) with
/// no scaling config: the llama3 fixture's weights plus those divisors under a default
/// RoPE config must give the llama3 reference logits.
@Suite("RoPE frequency factors from the checkpoint")
struct RoPEFrequencyFactorTests {
    final class AddingTensor: WeightSource, @unchecked Sendable {
        let base: any WeightSource
        let name: String
        let tensor: HostTensor
        init(base: any WeightSource, name: String, tensor: HostTensor) { (self.base, self.name, self.tensor) = (base, name, tensor) }
        var path: String { base.path }
        var tensorNames: [String] { base.tensorNames + [name] }
        func contains(_ n: String) -> Bool { n == name || base.contains(n) }
        func tensor(_ n: String) throws -> HostTensor { n == name ? tensor : try base.tensor(n) }
    }

    @Test func llama3ScalingAsFactors() throws {
        let folder = Fixtures.models.appendingPathComponent("llama-llama3")
        let checkpoint = try ModelCheckpoint.open(path: folder.path)
        var config = try JSONSerialization.jsonObject(with: checkpoint.configJSON) as! [String: Any]
        let scaling = try RoPEConfig.decoded(from: checkpoint.configJSON)
        let headDim = 16
        let plain = try RotaryEmbedding(config: try RoPEConfig.decoded(from: JSONSerialization.data(withJSONObject: ["rope_theta": scaling.theta])), headDim: headDim, maxPositions: 256)
        let scaled = try RotaryEmbedding(config: scaling, headDim: headDim, maxPositions: 256)
        let factors = zip(plain.inverseFrequencies, scaled.inverseFrequencies).map { $0 / $1 }
        config["rope_scaling"] = nil
        config["rope_parameters"] = ["rope_type": "default", "rope_theta": scaling.theta]
        let source = AddingTensor(base: checkpoint.weights, name: "rope_freqs.weight", tensor: .f32(factors, shape: [factors.count]))
        let backend = try CPUBackend(options: .init(threads: 2))
        let loader = WeightLoader(source: source, backend: backend, expectedCount: 1, progress: nil)
        let model = try ModelRegistry.build(configJSON: JSONSerialization.data(withJSONObject: config), weights: loader, limits: ForwardLimits(maxTokens: 64, maxLogitRows: 1))
        let reference = try JSONDecoder().decode(TinyModelTests.Reference.self, from: Data(contentsOf: folder.appendingPathComponent("reference.json")))
        let expected = try Fixtures.floats(folder.appendingPathComponent("logits.f32"))
        let vocab = reference.logits_shape[1], seq = reference.logits_shape[0]
        let cache = try PagedKVCache(backend: backend, layers: model.spec.layers, numBlocks: 16, blockSize: 4, kvHeads: model.spec.kvHeads, headDim: headDim, dtype: .f32)
        let builder = try ForwardBatchBuilder(backend: backend, maxTokens: 64, maxSequences: 1, maxBlocksPerSequence: 16, blockSize: 4)
        let batch = try builder.build([SequenceChunk(tokens: reference.input_ids.map(Int32.init), startPosition: 0, blockTable: Array(0..<16), needsLogits: true)])
        let got = try backend.readFloats(model.forward(batch, cache: cache))
        let want = Array(expected[(seq - 1) * vocab ..< seq * vocab])
        let range = expected.max()! - expected.min()!
        #expect(zip(got, want).map { abs($0 - $1) }.max()! <= TinyModelTests.tolerance * range)
    }
}
