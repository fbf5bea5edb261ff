import LLMRuntime

/// Launcher of Kernels/sampling.cu.
enum SamplingKernels {
    static let family = "sampling"
    static let threads = 512
    /// Shared memory the kernel's block state takes before the bitmap of penalised ids
    /// (sampling.cu's SAMPLE_SHARED_BYTES).
    static let stateSharedBytes = 16384

    /// Ids of one `sample_partials` block (sampling.cu's SAMPLE_CHUNK).
    static let chunkIDs = 8192
    /// Bytes of one chunk's partial (sampling.cu's SamplePartial).
    static let partialBytes = 24

    /// `sample_partials` (a block per chunk of each row of f32 `logits` `[rows, vocab]`)
    /// then `sample_rows` (one block per row). Shapes are checked by the op.
    static func sample(on backend: CUDABackend, logits: Tensor, params p: DeviceSamplingBatch, out: Tensor, logprobs: Tensor?) throws {
        let rows = p.rows, vocab = logits.shape[1]
        guard rows > 0 else { return }
        let chunks = (vocab + chunkIDs - 1) / chunkIDs
        // The allocator's cache makes this per-call buffer free in the steady state (stream
        // order keeps reuse safe).
        let partials = try backend.allocator.allocate(byteCount: partialBytes * rows * chunks)
        let penalties: [KernelArgument] = [
            .tensor(p.penaltyRowStart), .tensor(p.penaltyTokenIDs), .tensor(p.penaltyGeneratedCounts), .tensor(p.penaltyInPrompt),
        ]
        try backend.launch(
            family: family, kernel: "sample_partials", grid: (chunks, rows, 1), block: (threads, 1, 1),
            arguments: [.tensor(logits), try .int(vocab, "vocabulary"), .tensor(p.repetitionPenalty), .tensor(p.presencePenalty),
                        .tensor(p.frequencyPenalty)] + penalties + [.address(partials.address)])
        // Penalised ids are marked in a shared-memory bitmap when it fits; otherwise every
        // id is looked up in the row's sorted penalty list (slower, same result).
        let bitmapBytes = 4 * ((vocab + 31) / 32)
        let useBitmap = p.penaltyEntries > 0 && bitmapBytes + stateSharedBytes <= backend.device.info.sharedMemoryPerBlockOptin
        try backend.launch(
            family: family, kernel: "sample_rows", grid: (rows, 1, 1), block: (threads, 1, 1),
            sharedMemoryBytes: stateSharedBytes + (useBitmap ? bitmapBytes : 0),
            arguments: [
                .tensor(logits), try .int(vocab, "vocabulary"), .tensor(p.temperature), .tensor(p.topK), .tensor(p.topP),
                .tensor(p.minP), .tensor(p.repetitionPenalty), .tensor(p.presencePenalty), .tensor(p.frequencyPenalty),
                .tensor(p.uniformBits),
            ] + penalties + [.int32(useBitmap ? 1 : 0), .address(partials.address), try .int(chunks, "chunks"), .tensor(out), .tensor(logprobs)])
        withExtendedLifetime(partials) {}
    }
}
