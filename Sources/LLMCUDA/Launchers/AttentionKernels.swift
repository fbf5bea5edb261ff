import LLMRuntime

/// Launchers of Kernels/attention.cu (attention_e4m3.cu for an 8-bit cache): split-K
/// decode (+ reduce) and prefill, both on tensor cores.
enum AttentionKernels {
    /// The family, the activation part of entry-point names ("bf16", for the reduce) and
    /// the type part of the cache-reading ones ("bf16", "bf16_e4m3") for a query and cache type.
    static func kernels(query: DType, cache: DType) throws -> (family: String, act: String, types: String) {
        let act = try KernelNaming.suffix(query, op: "attention", allowed: KernelNaming.activationTypes)
        let cacheType = try KernelNaming.cacheSuffix(cache, activations: query, op: "attention")
        return ("attention\(cacheType)", act, act + cacheType)
    }
    /// Head sizes both paths are instantiated for.
    static let headDims: Set<Int> = [16, 32, 64, 80, 96, 112, 128, 256]
    /// Query heads of one decode block: the 16 rows of one mma tile.
    static let decodeMaxHeads = 16
    /// Keys of one warp's decode tile.
    static let decodeTileKeys = 16
    static let prefillRows = 64
    static let prefillThreads = 128

    /// What both paths take besides the tensors.
    struct Shape {
        var tokens: Int
        var sequences: Int
        var maxContext: Int
        var queryHeads: Int
        var kvHeads: Int
        var headDim: Int
        var blockSize: Int
        var cacheBlocks: Int
        var maxBlocksPerSequence: Int
        var scale: Float
        var window: Int
        var softcap: Float
    }

    /// The decode path when every sequence brings at most one token (a pure decode
    /// batch); otherwise the decode path for the batch's leading one-token sequences and
    /// the prefill path for the rest. Both are exact for any batch.
    static func run(on backend: CUDABackend, query: Tensor, keyCache: Tensor, valueCache: Tensor, metadata: AttentionMetadata,
                    shape s: Shape, out: Tensor) throws {
        guard s.tokens > 0 else { return }
        // Both paths move query, cache and output rows in 16-byte pieces.
        for (name, t) in [("query", query), ("key cache", keyCache), ("value cache", valueCache), ("out", out)]
        where try t.deviceAddress("attention") % 16 != 0 {
            throw RuntimeError.invalidArgument(op: "attention", reason: "\(name) view \(t) must start at a 16-byte aligned address")
        }
        if s.tokens <= s.sequences {
            try decode(on: backend, query: query, keyCache: keyCache, valueCache: valueCache, metadata: metadata, shape: s, out: out)
            return
        }
        // The decode kernel serves tokens 0..<leading (each its sequence's only one): the
        // prefill kernel would read every decode sequence's keys in 64-row tiles mostly empty.
        let leading = min(max(metadata.leadingDecodeSequences, 0), s.sequences, s.tokens)
        if leading > 0 {
            var head = s
            head.tokens = leading
            try decode(on: backend, query: query, keyCache: keyCache, valueCache: valueCache, metadata: metadata, shape: head, out: out)
        }
        try prefill(on: backend, query: query, keyCache: keyCache, valueCache: valueCache, metadata: metadata, shape: s,
                    firstSequence: leading, out: out)
    }

    private static func common(_ query: Tensor, _ keyCache: Tensor, _ valueCache: Tensor, _ m: AttentionMetadata, _ s: Shape) throws -> [KernelArgument] {
        [
            .tensor(query), .tensor(keyCache), .tensor(valueCache), .tensor(m.blockTable), try .int(s.maxBlocksPerSequence, "blocks per sequence"),
            .tensor(m.queryStart), .tensor(m.positions), try .int(s.sequences, "sequences"), try .int(s.queryHeads, "query heads"),
            try .int(s.kvHeads, "kv heads"), try .int(s.blockSize, "block size"), .int64(Int64(s.cacheBlocks)), .float(s.scale),
            try .int(s.window, "sliding window"), .float(s.softcap),
        ]
    }

    /// Smallest keys-per-block partition of the decode kernel: one 16-key tile per warp.
    static let minimumPartition = 64

    /// Warps of a decode block (attention.cu's DECODE_WARPS), and the two of the
    /// `_w2` head-size-256 kernel for GPUs whose blocks cannot hold four warps' tiles.
    static let decodeWarps = 4
    static let narrowDecodeWarps = 2

    /// attention.cu's decode shared layout: Q [16][D], per warp two stages of K and V
    /// tiles [16][D] (2-byte elements), then max and sum [warps][16][2] floats.
    static func decodeSharedBytes(headDim: Int, warps: Int) -> Int {
        2 * (decodeMaxHeads * headDim + warps * 4 * decodeTileKeys * headDim) + 4 * warps * decodeMaxHeads * 2
    }

    /// Partition size and head chunking of the decode kernel for this shape. Short
    /// contexts are split into partitions as small as 64 keys until the grid has two
    /// blocks per SM (a few long partitions would leave most of the GPU idle); long ones
    /// take up to 1024 keys per block (fewer partials to write and combine). The split count
    /// follows the context rounded up to its bucket, so a recorded step stays valid for
    /// every context of the bucket (partitions past the context hold no keys).
    /// Four warps where a block's shared memory (`sharedMemoryPerBlock`) holds their
    /// tiles, else two (head size 256 on sm_86/sm_89).
    static func decodePlan(_ s: Shape, multiprocessors: Int, sharedMemoryPerBlock: Int)
        -> (headChunk: Int, chunks: Int, partition: Int, splits: Int, warps: Int, sharedBytes: Int)
    {
        let group = s.queryHeads / s.kvHeads
        let headChunk = min(group, decodeMaxHeads)
        let chunks = (group + headChunk - 1) / headChunk
        let bucket = KernelNaming.roundUp(max(s.maxContext, 1), AttentionMetadata.contextBucketTokens)
        let span = s.window > 0 ? min(bucket, s.window) : bucket
        let blocksPerSplit = s.tokens * s.kvHeads * chunks
        var partition = 1024
        while partition > minimumPartition && blocksPerSplit * ((span + partition - 1) / partition) < 2 * multiprocessors {
            partition /= 2
        }
        let splits = max(1, (span + partition - 1) / partition)
        let roomy = decodeSharedBytes(headDim: s.headDim, warps: decodeWarps) <= sharedMemoryPerBlock
        let warps = roomy || s.headDim != 256 ? decodeWarps : narrowDecodeWarps
        return (headChunk, chunks, partition, splits, warps, decodeSharedBytes(headDim: s.headDim, warps: warps))
    }

    static func decode(on backend: CUDABackend, query: Tensor, keyCache: Tensor, valueCache: Tensor, metadata: AttentionMetadata,
                       shape s: Shape, out: Tensor) throws {
        let (family, act, types) = try kernels(query: query.dtype, cache: keyCache.dtype)
        let plan = decodePlan(s, multiprocessors: backend.device.info.multiprocessorCount,
                              sharedMemoryPerBlock: backend.device.info.sharedMemoryPerBlockOptin)
        guard plan.splits <= 65535 else {
            throw RuntimeError.invalidArgument(op: "attention", reason: "context of \(s.maxContext) tokens needs \(plan.splits) partitions (at most 65535)")
        }
        // Partial results only exist with several partitions; the allocator's cache makes
        // these per-call buffers free in the steady state (stream order keeps reuse safe).
        let partials = s.tokens * s.queryHeads * plan.splits
        let acc = plan.splits > 1 ? try backend.allocator.allocate(byteCount: 4 * partials * s.headDim) : nil
        let ml = plan.splits > 1 ? try backend.allocator.allocate(byteCount: 8 * partials) : nil
        var arguments = try common(query, keyCache, valueCache, metadata, s)
        arguments += [try .int(plan.partition, "partition"), try .int(plan.headChunk, "head chunk"), .tensor(out),
                      .address(acc?.address ?? 0), .address(ml?.address ?? 0)]
        try backend.launch(family: family, kernel: "decode_\(types)_d\(s.headDim)\(plan.warps == decodeWarps ? "" : "_w2")",
                           grid: (s.tokens, s.kvHeads * plan.chunks, plan.splits), block: (32 * plan.warps, 1, 1),
                           sharedMemoryBytes: plan.sharedBytes, arguments: arguments)
        if let acc, let ml {
            try backend.launch(family: family, kernel: "decode_reduce_\(act)", grid: (s.tokens, s.queryHeads, 1),
                               block: (min(256, KernelNaming.roundUp(s.headDim, 32)), 1, 1),
                               arguments: [.address(acc.address), .address(ml.address), try .int(s.queryHeads, "query heads"),
                                           try .int(plan.splits, "partitions"), try .int(s.headDim, "head size"), .tensor(out)])
        }
        withExtendedLifetime((acc, ml)) {}
    }

    /// Key/value rows per prefill tile for a head size.
    static func prefillKeysPerTile(headDim: Int) -> Int { headDim == 256 ? 32 : 64 }

    /// Q, K and V tiles of 2-byte elements, with an e4m3 cache the K and V tiles as
    /// loaded (a byte an element), then 16 ints of block state (PREFILL_SCALARS).
    static func prefillSharedBytes(headDim: Int, e4m3Cache: Bool) -> Int {
        let keys = prefillKeysPerTile(headDim: headDim)
        return (prefillRows + 2 * keys) * headDim * 2 + (e4m3Cache ? 2 * keys * headDim : 0) + 16 * 4
    }

    /// Sequences `firstSequence...` (whose tokens start at `firstSequence` when every
    /// earlier one brings one token).
    static func prefill(on backend: CUDABackend, query: Tensor, keyCache: Tensor, valueCache: Tensor, metadata: AttentionMetadata,
                        shape s: Shape, firstSequence: Int, out: Tensor) throws {
        let (family, _, types) = try kernels(query: query.dtype, cache: keyCache.dtype)
        let group = s.queryHeads / s.kvHeads
        // Each sequence's packed rows (tokens x group) split into 64-row tiles; the sum of
        // their counts is at most this bound, and blocks past the last tile return at once.
        let tiles = ((s.tokens - firstSequence) * group + prefillRows - 1) / prefillRows + s.sequences - firstSequence
        guard tiles <= Int(Int32.max) else {
            throw RuntimeError.invalidArgument(op: "attention", reason: "\(s.tokens) tokens x \(group) heads is too large a batch")
        }
        var arguments = try common(query, keyCache, valueCache, metadata, s)
        arguments += [try .int(firstSequence, "first sequence"), .tensor(out)]
        try backend.launch(family: family, kernel: "prefill_\(types)_d\(s.headDim)", grid: (tiles, s.kvHeads, 1),
                           block: (prefillThreads, 1, 1),
                           sharedMemoryBytes: prefillSharedBytes(headDim: s.headDim, e4m3Cache: keyCache.dtype == .f8_e4m3),
                           arguments: arguments)
    }
}
