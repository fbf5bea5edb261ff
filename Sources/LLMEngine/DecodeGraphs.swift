import LLMModels
import LLMRuntime

/// Replays decode steps recorded on the device (CUDA graphs), one recording per batch
/// shape: the host issues one launch per step instead of hundreds. A shape is run
/// eagerly once first (warming every cache: kernels, GEMM plans, allocator blocks), then
/// recorded. Inputs live in the batch builder's fixed buffers, so a replay reads the new
/// step's tokens, positions and block table where the recording saw them.
final class DecodeGraphs {
    struct Key: Hashable {
        var tokens: Int
        var sequences: Int
        var logitRows: Int
        /// Kernels size their grids by the longest context rounded up to
        /// `AttentionMetadata.contextBucketTokens`.
        var contextBucket: Int
    }

    private var recorded: [Key: (work: any RecordedWork, logits: Tensor)] = [:]
    private var warm: Set<Key> = []
    /// Set once the backend declines to record (the CPU), so later steps stop asking.
    private var unavailable = false
    let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func forward(_ model: any CausalLM, _ batch: ForwardBatch, cache: PagedKVCache) throws -> Tensor {
        // Only pure decode steps repeat with the same shape; prefill chunks vary.
        guard enabled, !unavailable, model.supportsRecording, batch.numTokens == batch.attention.numSequences else {
            return try model.forward(batch, cache: cache)
        }
        let key = Key(tokens: batch.numTokens, sequences: batch.attention.numSequences, logitRows: batch.numLogitRows,
                      contextBucket: batch.attention.contextBucketLimit)
        if let entry = recorded[key] {
            try entry.work.replay()
            return entry.logits
        }
        guard warm.contains(key) else {
            warm.insert(key)
            return try model.forward(batch, cache: cache)
        }
        var logits: Tensor?
        guard let work = try model.backend.record({ logits = try model.forward(batch, cache: cache) }), let logits else {
            unavailable = true
            return try model.forward(batch, cache: cache)
        }
        recorded[key] = (work, logits)
        try work.replay()
        return logits
    }
}
