import Foundation
import SwiftLLM

/// Paths of the committed fixtures and of the model cache that `make test` fills.
enum Fixtures {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let models = packageRoot.appendingPathComponent("Tests/Fixtures/models")

    static var modelCache: URL {
        if let env = ProcessInfo.processInfo.environment["SWIFTLLM_MODEL_CACHE"] { return URL(fileURLWithPath: env) }
        return packageRoot.appendingPathComponent(".cache/models")
    }

    static var smolLM2: String { modelCache.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf").path }

    static func floats(_ url: URL) throws -> [Float] {
        let data = try Data(contentsOf: url)
        return data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
    }
}

/// A model built directly from a checkpoint with its own cache, for running forwards
/// without an engine.
struct ModelHarness {
    let model: any CausalLM
    let cache: PagedKVCache
    let builder: ForwardBatchBuilder
    let blockSize = 4
    var blockTable: [Int32]

    init(path: String, backend: any Backend, maxTokens: Int = 64, contextBlocks: Int = 32) throws {
        let checkpoint = try ModelCheckpoint.open(path: path)
        let loader = WeightLoader(source: checkpoint.weights, backend: backend, expectedCount: 1, progress: nil)
        model = try ModelRegistry.build(configJSON: checkpoint.configJSON, weights: loader, limits: ForwardLimits(maxTokens: maxTokens, maxLogitRows: 1))
        let spec = model.spec
        cache = try PagedKVCache(backend: backend, layers: spec.layers, numBlocks: contextBlocks, blockSize: blockSize,
                                 kvHeads: spec.kvHeads, headDim: spec.headDim, dtype: backend.activationDType)
        builder = try ForwardBatchBuilder(backend: backend, maxTokens: maxTokens, maxSequences: 1, maxBlocksPerSequence: contextBlocks, blockSize: blockSize)
        // Blocks in reverse order so paging is exercised.
        blockTable = (0..<Int32(contextBlocks)).reversed()
    }

    /// Logits of the last of `tokens`, placed at `start`.
    func logits(_ tokens: [Int], start: Int) throws -> [Float] {
        let batch = try builder.build([SequenceChunk(tokens: tokens.map(Int32.init), startPosition: start, blockTable: blockTable, needsLogits: true)])
        return try model.backend.readFloats(try model.forward(batch, cache: cache))
    }

    /// Greedy continuation of `prompt`, one token per step after the prefill.
    func greedy(_ prompt: [Int], count: Int) throws -> [Int] {
        var row = try logits(prompt, start: 0)
        var out = [Int]()
        for _ in 0..<count {
            let next = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) }!
            out.append(next)
            row = try logits([next], start: prompt.count + out.count - 1)
        }
        return out
    }
}

extension Array where Element == Float {
    var argmax: Int { indices.max { self[$0] < self[$1] || (self[$0] == self[$1] && $0 > $1) }! }
}
