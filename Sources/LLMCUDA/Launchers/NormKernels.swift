import LLMRuntime

/// Launchers of Kernels/norm.cu.
enum NormKernels {
    static let family = "norm"

    /// `rms_norm_<act>_w<weight>`: one block per row of `dim`; with `residual`,
    /// residual += x first and the stored residual is normalised.
    static func rmsNorm(on backend: CUDABackend, x: Tensor, residual: Tensor?, weight: Tensor, eps: Float, out: Tensor) throws {
        let dim = x.shape.last ?? 0
        guard dim > 0 else { return }
        let rows = x.elementCount / dim
        guard rows > 0 else { return }
        let act = try KernelNaming.suffix(x.dtype, op: "rmsNorm", allowed: KernelNaming.activationTypes)
        let w = try KernelNaming.suffix(weight.dtype, op: "rmsNorm", allowed: KernelNaming.parameterTypes)
        try backend.launch(
            family: family, kernel: "rms_norm_\(act)_w\(w)", grid: (rows, 1, 1),
            block: (KernelNaming.rowThreads(elements: dim, limit: 1024), 1, 1),
            arguments: [.tensor(x), .tensor(residual), .tensor(weight), .float(eps), try .int(dim, "rmsNorm width"), .tensor(out)])
    }

    /// `rms_norm_sandwich_<act>_w<weight>`: one block per row, as many threads as
    /// `rmsNorm` takes, so both norms sum in the same order as two `rmsNorm` launches.
    static func sandwich(on backend: CUDABackend, x: Tensor, weight: Tensor, residual: Tensor, nextWeight: Tensor, eps: Float,
                         out: Tensor) throws {
        let dim = x.shape.last ?? 0
        guard dim > 0, x.elementCount > 0 else { return }
        let act = try KernelNaming.suffix(x.dtype, op: "sandwichNorm", allowed: KernelNaming.activationTypes)
        let w = try KernelNaming.suffix(weight.dtype, op: "sandwichNorm", allowed: KernelNaming.parameterTypes)
        try backend.launch(
            family: family, kernel: "rms_norm_sandwich_\(act)_w\(w)", grid: (x.elementCount / dim, 1, 1),
            block: (KernelNaming.rowThreads(elements: dim, limit: 1024), 1, 1),
            arguments: [.tensor(x), .tensor(weight), .tensor(residual), .tensor(nextWeight), .float(eps), try .int(dim, "rmsNorm width"),
                        .tensor(out)])
    }

    /// `rms_norm_heads_<act>_w<weight>`: in place, one warp per `headDim` slice, 8 per block.
    static func rmsNormHeads(on backend: CUDABackend, x: Tensor, weight: Tensor, eps: Float) throws {
        let headDim = weight.elementCount
        let rows = x.elementCount / headDim
        guard rows > 0 else { return }
        let act = try KernelNaming.suffix(x.dtype, op: "rmsNormHeads", allowed: KernelNaming.activationTypes)
        let w = try KernelNaming.suffix(weight.dtype, op: "rmsNormHeads", allowed: KernelNaming.parameterTypes)
        let warpsPerBlock = 8
        try backend.launch(
            family: family, kernel: "rms_norm_heads_\(act)_w\(w)", grid: ((rows + warpsPerBlock - 1) / warpsPerBlock, 1, 1),
            block: (32 * warpsPerBlock, 1, 1),
            arguments: [.tensor(x), .tensor(weight), .float(eps), .int64(Int64(rows)), try .int(headDim, "head size")])
    }
}
