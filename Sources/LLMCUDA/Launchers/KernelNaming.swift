import LLMRuntime

/// How the kernel families name their per-type entry points, and the launch-shape
/// arithmetic the launchers share.
enum KernelNaming {
    /// The element-type part of an entry point name ("bf16", "f16", "f32"), or a typed
    /// error for types the kernels do not take in that role.
    static func suffix(_ dtype: DType, op: String, allowed: Set<DType>) throws -> String {
        guard allowed.contains(dtype) else { throw RuntimeError.unsupportedDType(op: op, dtype: dtype) }
        switch dtype {
        case .bf16: return "bf16"
        case .f16: return "f16"
        case .f32: return "f32"
        default: throw RuntimeError.unsupportedDType(op: op, dtype: dtype)
        }
    }

    /// "" for a KV cache of the activation type, "_e4m3" for an 8-bit float one: the
    /// part of a cache-reading or cache-writing entry point's name after the activation type.
    static func cacheSuffix(_ cache: DType, activations: DType, op: String) throws -> String {
        if cache == activations { return "" }
        guard cache == .f8_e4m3 else { throw RuntimeError.unsupportedDType(op: op, dtype: cache) }
        return "_e4m3"
    }

    /// Activation types the kernels are instantiated for.
    static let activationTypes: Set<DType> = [.bf16, .f16]
    /// Types a norm weight or an embedding table may have.
    static let parameterTypes: Set<DType> = [.bf16, .f16, .f32]

    /// `value` rounded up to a multiple of `multiple`.
    static func roundUp(_ value: Int, _ multiple: Int) -> Int { (value + multiple - 1) / multiple * multiple }

    /// Threads for a block that walks a row of `elements` in 8-element vectors: one
    /// vector per thread up to `limit` threads, whole warps.
    static func rowThreads(elements: Int, limit: Int) -> Int {
        min(limit, max(32, roundUp((elements + 7) / 8, 32)))
    }

    /// Blocks for a grid-stride loop over `work` items with `threads` per block: enough
    /// to fill the GPU, never more than the work needs.
    static func strideBlocks(work: Int, threads: Int, multiprocessors: Int) -> Int {
        max(1, min((work + threads - 1) / threads, multiprocessors * 16))
    }
}
