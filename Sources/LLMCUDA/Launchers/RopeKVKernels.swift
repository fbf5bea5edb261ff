import LLMRuntime

/// Launchers of Kernels/rope_kv.cu: one kernel, three uses (rotate, store, both).
enum RopeKVKernels {
    static let family = "rope_kv"

    struct Mode: OptionSet {
        let rawValue: Int32
        static let rotate = Mode(rawValue: 1)
        static let writeKV = Mode(rawValue: 2)
    }

    /// Where the kernel stores K and V: the two caches, the slot of each token and the
    /// number of slots (blocks * block size).
    struct CacheTarget {
        var keyCache: Tensor
        var valueCache: Tensor
        var slotMapping: Tensor
        var slots: Int
    }

    /// `rope_kv_<act>[_e4m3]` over `tokens` tokens, one block each. `q` may be nil (write only);
    /// `rope` nil means no rotation. For a write-only launch `kvHeads`/`headDim` only
    /// need their product to be the K/V row width.
    static func launch(on backend: CUDABackend, tokens: Int, q: Tensor?, k: Tensor, v: Tensor?, positions: Tensor?,
                       rope: RotaryParams?, qHeads: Int, kvHeads: Int, headDim: Int, cache: CacheTarget?) throws {
        guard tokens > 0 else { return }
        let act = try KernelNaming.suffix(k.dtype, op: "rope", allowed: KernelNaming.activationTypes)
        let cacheType = try cache.map { try KernelNaming.cacheSuffix($0.keyCache.dtype, activations: k.dtype, op: "writeKV") } ?? ""
        var mode: Mode = []
        if rope != nil { mode.insert(.rotate) }
        if cache != nil { mode.insert(.writeKV) }
        let half = (rope?.rotaryDim ?? 0) / 2
        let rowWidth = (qHeads + kvHeads) * max(half, 1)
        let threads = min(256, max(32, KernelNaming.roundUp(max(rowWidth / 2, kvHeads * headDim / 8), 32)))
        try backend.launch(
            family: family, kernel: "rope_kv_\(act)\(cacheType)", grid: (tokens, 1, 1), block: (threads, 1, 1),
            arguments: [
                .tensor(q), .tensor(k), .tensor(v), .tensor(positions), .tensor(rope?.inverseFrequencies),
                try .int(qHeads, "query heads"), try .int(kvHeads, "kv heads"), try .int(headDim, "head size"),
                try .int(half, "rotary half"), .float(rope?.attentionScale ?? 1),
                .tensor(cache?.keyCache), .tensor(cache?.valueCache), .tensor(cache?.slotMapping),
                .int64(Int64(cache?.slots ?? 0)), .int32(mode.rawValue), try backend.statusArgument(),
            ])
    }
}
