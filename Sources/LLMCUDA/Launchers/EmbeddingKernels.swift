import LLMRuntime

/// Launchers of Kernels/embedding.cu.
enum EmbeddingKernels {
    static let family = "embedding"

    /// `embedding_<table>_<out>`: one block per token; out-of-range ids zero their row
    /// and set the status word. Shapes are checked by the op.
    static func embedding(on backend: CUDABackend, ids: Tensor, table: Tensor, out: Tensor) throws {
        let tokens = ids.elementCount, dim = table.shape[1]
        guard tokens > 0, dim > 0 else { return }
        let tableName = try KernelNaming.suffix(table.dtype, op: "embedding", allowed: KernelNaming.parameterTypes)
        let outName = try KernelNaming.suffix(out.dtype, op: "embedding", allowed: KernelNaming.activationTypes)
        try backend.launch(
            family: family, kernel: "embedding_\(tableName)_\(outName)", grid: (tokens, 1, 1),
            block: (KernelNaming.rowThreads(elements: dim, limit: 256), 1, 1),
            arguments: [.tensor(ids), .tensor(table), .int64(Int64(table.shape[0])), try .int(dim, "embedding width"),
                        .tensor(out), try backend.statusArgument()])
    }
}
