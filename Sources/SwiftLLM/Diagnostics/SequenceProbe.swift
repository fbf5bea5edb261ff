import Foundation

/// One model on one backend with a private cache, driven one sequence at a time without
/// the engine: for parity checks between backends and against reference logits.
public final class SequenceProbe {
    public let model: any CausalLM
    public let backend: any Backend
    let cache: PagedKVCache
    let builder: ForwardBatchBuilder
    let blockTable: [Int32]

    /// Loads `path` (checkpoint, or random weights when `randomSeed` is given with a
    /// config folder) onto `backend`, with room for `contextTokens`; the cache holds
    /// `cacheType` (default: the widest type the backend reads).
    public init(path: String, backend: any Backend, contextTokens: Int = 256, maxChunk: Int = 256, blockSize: Int = 16,
                cacheType: DType? = nil) throws {
        let checkpoint = try ModelCheckpoint.open(path: path)
        let loader = WeightLoader(source: checkpoint.weights, backend: backend, expectedCount: 1, progress: nil)
        model = try ModelRegistry.build(configJSON: checkpoint.configJSON, weights: loader, limits: ForwardLimits(maxTokens: maxChunk, maxLogitRows: 1))
        self.backend = backend
        let blocks = (contextTokens + blockSize - 1) / blockSize
        // A probe measures logit error, so it keeps the widest cache the backend reads.
        let dtype = cacheType ?? (backend.kvCacheDTypes.contains(.f32) ? DType.f32 : backend.kvCacheDTypes[0])
        cache = try PagedKVCache(backend: backend, layers: model.spec.layers, numBlocks: blocks, blockSize: blockSize,
                                 kvHeads: model.spec.kvHeads, headDim: model.spec.headDim, dtype: dtype)
        builder = try ForwardBatchBuilder(backend: backend, maxTokens: maxChunk, maxSequences: 1, maxBlocksPerSequence: blocks, blockSize: blockSize)
        // Blocks in reverse order so paging is exercised.
        blockTable = (0..<Int32(blocks)).reversed()
    }

    /// Logits of the last of `tokens`, placed at position `start` (earlier positions
    /// must already be in the cache).
    public func logits(_ tokens: [Int], start: Int) throws -> [Float] {
        let batch = try builder.build([SequenceChunk(tokens: tokens.map(Int32.init), startPosition: start, blockTable: blockTable, needsLogits: true)])
        return try backend.readFloats(try model.forward(batch, cache: cache))
    }

    /// Greedy decoding from `prompt`: the logits of the prompt's last position and of
    /// each generated token's position, and the tokens chosen (lowest id on ties).
    public func greedy(_ prompt: [Int], steps: Int) throws -> (tokens: [Int], logits: [[Float]]) {
        var rows = [try logits(prompt, start: 0)]
        var tokens = [Int]()
        for _ in 0..<steps {
            let row = rows[rows.count - 1]
            let next = row.indices.max { row[$0] < row[$1] || (row[$0] == row[$1] && $0 > $1) } ?? 0
            tokens.append(next)
            if tokens.count < steps { rows.append(try logits([next], start: prompt.count + tokens.count - 1)) }
        }
        return (tokens, rows)
    }
}
