import LLMModels
import LLMRuntime

/// Replays decode steps recorded on the device (CUDA graphs), one recording per batch
/// shape: the host issues one launch per step instead of hundreds. A shape is run
/// eagerly once first (warming every cache: kernels, GEMM plans, allocator blocks), then
/// recorded. Inputs live in the batch builder's fixed buffers, so a replay reads the new
/// step's tokens, positions and block table where the recording saw them.
///
/// In-flight batching makes many shapes (every running count times every context
/// bucket), so at most `capacity` recordings are kept: the least recently replayed one is
/// dropped to make room, and memory cannot grow without bound.
final class DecodeGraphs {
    struct Key: Hashable {
        var tokens: Int
        var sequences: Int
        var logitRows: Int
        /// Kernels size their grids by the longest context, and the block table's rows
        /// follow it: both in buckets of `AttentionMetadata.contextBucketTokens`.
        var contextBucket: Int
        var blockTableWidth: Int
    }

    private struct Recording {
        var work: any RecordedWork
        var logits: Tensor
        var lastUse: Int
    }

    private var recorded: [Key: Recording] = [:]
    private var warm: Set<Key> = []
    private var clock = 0
    /// Set once the backend declines to record (the CPU), so later steps stop asking.
    private var unavailable = false
    let enabled: Bool
    let capacity: Int

    init(enabled: Bool, capacity: Int) {
        self.enabled = enabled
        self.capacity = capacity
    }

    var count: Int { recorded.count }

    func forward(_ model: any CausalLM, _ batch: ForwardBatch, cache: PagedKVCache) throws -> Tensor {
        // Only pure decode steps repeat with the same shape; prefill chunks vary.
        guard enabled, !unavailable, model.supportsRecording, batch.numTokens == batch.attention.numSequences else {
            return try model.forward(batch, cache: cache)
        }
        let key = Key(tokens: batch.numTokens, sequences: batch.attention.numSequences, logitRows: batch.numLogitRows,
                      contextBucket: batch.attention.contextBucketLimit,
                      blockTableWidth: batch.attention.blockTable.shape.last ?? 0)
        clock += 1
        if let entry = recorded[key] {
            recorded[key]?.lastUse = clock
            try entry.work.replay()
            return entry.logits
        }
        guard warm.contains(key) else {
            // Shapes seen once are only remembered up to a bound too.
            if warm.count >= 4 * capacity { warm.removeAll(keepingCapacity: true) }
            warm.insert(key)
            return try model.forward(batch, cache: cache)
        }
        var logits: Tensor?
        guard let work = try model.backend.record({ logits = try model.forward(batch, cache: cache) }), let logits else {
            unavailable = true
            return try model.forward(batch, cache: cache)
        }
        if recorded.count >= capacity, let oldest = recorded.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            recorded[oldest] = nil
        }
        recorded[key] = Recording(work: work, logits: logits, lastUse: clock)
        try work.replay()
        return logits
    }
}
