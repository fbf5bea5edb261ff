import LLMModels
import LLMRuntime

/// How big the KV cache is and why: a configured byte budget, or a fraction of the
/// memory a backend reports free after a profiling step at the largest batch.
public struct KVCachePlan: Sendable, Equatable, CustomStringConvertible {
    public var blockCount: Int
    public var blockSize: Int
    public var bytesPerBlock: Int
    /// Free memory measured after the profiling step; nil when a byte budget was used.
    public var measuredFreeBytes: Int?
    /// Element type of the cache.
    public var dtype: DType

    /// Tokens the whole cache holds.
    public var tokenCapacity: Int { blockCount * blockSize }
    public var bytes: Int { blockCount * bytesPerBlock }

    public var description: String {
        let mib = Double(bytes) / Double(1 << 20)
        let source = measuredFreeBytes.map { String(format: "from %.2f GiB free after profiling", Double($0) / Double(1 << 30)) } ?? "configured budget"
        return "KV cache: \(blockCount) blocks of \(blockSize) tokens = \(tokenCapacity) tokens, \(String(format: "%.1f", mib)) MiB of \(dtype) (\(source))"
    }

    /// Sizes the cache for `model`: `options.kvCacheBytes` when set; else, where the
    /// backend reports free memory, one forward at the largest batch first (so
    /// workspaces and libraries claim their memory), then `kvCacheMemoryFraction` of
    /// what is free; else ``EngineOptions/defaultKVCacheBytes``.
    static func make(for model: any CausalLM, options: EngineOptions, maxSequences: Int) throws -> KVCachePlan {
        let spec = model.spec, backend = model.backend, dtype = try options.kvCacheDType(on: backend)
        let bytesPerBlock = options.blockSize * PagedKVCache.bytesPerToken(layers: spec.layers, kvHeads: spec.kvHeads,
                                                                          headDim: spec.headDim, dtype: dtype)
        var budget = options.kvCacheBytes ?? EngineOptions.defaultKVCacheBytes
        var measured: Int?
        if options.kvCacheBytes == nil, try backend.freeMemoryBytes() != nil {
            try profile(model, options: options, maxSequences: maxSequences, dtype: dtype)
            if let free = try backend.freeMemoryBytes() {
                measured = free
                budget = Int(Double(free) * options.kvCacheMemoryFraction)
            }
        }
        let blocks = budget / bytesPerBlock
        guard blocks >= 1 else {
            throw EngineError.invalidOption(field: "kvCacheBytes", expected: "at least \(bytesPerBlock) bytes (one block)", found: "\(budget)")
        }
        return KVCachePlan(blockCount: blocks, blockSize: options.blockSize, bytesPerBlock: bytesPerBlock, measuredFreeBytes: measured,
                           dtype: dtype)
    }

    /// One forward of `maxBatchTokens` tokens spread over `maxSequences` sequences, every
    /// one asking for logits, into a scratch cache that is released afterwards.
    private static func profile(_ model: any CausalLM, options: EngineOptions, maxSequences: Int, dtype: DType) throws {
        let backend = model.backend, spec = model.spec, bs = options.blockSize
        let sequences = min(maxSequences, options.maxBatchTokens)
        let perSequence = options.maxBatchTokens / sequences
        let longest = perSequence + options.maxBatchTokens % sequences
        let blocksPerSequence = (longest + bs - 1) / bs
        let cache = try PagedKVCache(backend: backend, layers: spec.layers, numBlocks: sequences * blocksPerSequence, blockSize: bs,
                                     kvHeads: spec.kvHeads, headDim: spec.headDim, dtype: dtype)
        let builder = try ForwardBatchBuilder(backend: backend, maxTokens: options.maxBatchTokens, maxSequences: sequences,
                                              maxBlocksPerSequence: blocksPerSequence, blockSize: bs)
        let chunks = (0..<sequences).map { s in
            SequenceChunk(tokens: [Int32](repeating: 0, count: s == 0 ? longest : perSequence), startPosition: 0,
                          blockTable: (0..<Int32(blocksPerSequence)).map { Int32(s * blocksPerSequence) + $0 }, needsLogits: true)
        }
        _ = try model.forward(try builder.build(chunks), cache: cache)
        try backend.synchronize()
    }
}
