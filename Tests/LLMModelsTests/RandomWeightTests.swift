import Foundation
import SwiftLLM
import Testing

/// `--load-format dummy`: random weights of the shapes a config implies.
@Suite("Random weights from a config")
struct RandomWeightTests {
    @Test("The same parameters as the real checkpoint, for every fixture architecture", arguments: TinyModelTests.names)
    func sameShapes(name: String) throws {
        let folder = Fixtures.models.appendingPathComponent(name)
        let checkpoint = try ModelCheckpoint.open(path: folder.path)
        let backend = try CPUBackend(options: .init(threads: 1))
        let limits = ForwardLimits(maxTokens: 8, maxLogitRows: 1)
        let real = try ModelRegistry.build(configJSON: checkpoint.configJSON,
                                           weights: WeightLoader(source: checkpoint.weights, backend: backend, expectedCount: 1, progress: nil), limits: limits)
        let random = try ModelRegistry.build(configJSON: checkpoint.configJSON,
                                             weights: WeightLoader(source: nil, backend: backend, expectedCount: 1, seed: 3, progress: nil), limits: limits)
        #expect(random.spec == real.spec)
    }

    @Test("Random models run, and the same seed gives the same logits")
    func deterministic() throws {
        let config = try Data(contentsOf: Fixtures.models.appendingPathComponent("qwen3/config.json"))
        func logits(seed: UInt64) throws -> [Float] {
            let backend = try CPUBackend(options: .init(threads: 1))
            let model = try ModelRegistry.build(configJSON: config, weights: WeightLoader(source: nil, backend: backend, expectedCount: 1, seed: seed, progress: nil),
                                                limits: ForwardLimits(maxTokens: 8, maxLogitRows: 1))
            let cache = try PagedKVCache(backend: backend, layers: model.spec.layers, numBlocks: 2, blockSize: 4, kvHeads: model.spec.kvHeads, headDim: model.spec.headDim, dtype: .f32)
            let builder = try ForwardBatchBuilder(backend: backend, maxTokens: 8, maxSequences: 1, maxBlocksPerSequence: 2, blockSize: 4)
            let batch = try builder.build([SequenceChunk(tokens: [1, 2, 3, 4, 5], startPosition: 0, blockTable: [1, 0], needsLogits: true)])
            return try backend.readFloats(model.forward(batch, cache: cache))
        }
        let a = try logits(seed: 1), b = try logits(seed: 1), c = try logits(seed: 2)
        #expect(a == b)
        #expect(a != c)
        #expect(a.allSatisfy { $0.isFinite })
        // Uniform ±1/sqrt(fan-in) weights keep logits in a sane range, not saturated.
        #expect(a.map(abs).max()! < 50)
    }
}
