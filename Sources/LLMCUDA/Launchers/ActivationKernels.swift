import LLMRuntime

/// Launchers of Kernels/activation.cu: gated activations, add, bias add, row gathers.
enum ActivationKernels {
    static let family = "activation"
    static let threads = 256

    static func gated(on backend: CUDABackend, x: Tensor, kind: GatedActivation, tokens: Int, ff: Int, out: Tensor) throws {
        guard tokens > 0, ff > 0 else { return }
        let act = try KernelNaming.suffix(x.dtype, op: "gatedActivation", allowed: KernelNaming.activationTypes)
        let name = kind == .silu ? "silu_mul" : "gelu_tanh_mul"
        let blocks = KernelNaming.strideBlocks(work: tokens * ff / 8 + 1, threads: threads, multiprocessors: backend.device.info.multiprocessorCount)
        try backend.launch(family: family, kernel: "\(name)_\(act)", grid: (blocks, 1, 1), block: (threads, 1, 1),
                           arguments: [.tensor(x), .int64(Int64(tokens)), try .int(ff, "ff width"), .tensor(out)])
    }

    static func add(on backend: CUDABackend, _ a: Tensor, _ b: Tensor, out: Tensor) throws {
        let n = a.elementCount
        guard n > 0 else { return }
        let type = try KernelNaming.suffix(a.dtype, op: "add", allowed: KernelNaming.parameterTypes)
        let blocks = KernelNaming.strideBlocks(work: n / 8 + 1, threads: threads, multiprocessors: backend.device.info.multiprocessorCount)
        try backend.launch(family: family, kernel: "add_\(type)", grid: (blocks, 1, 1), block: (threads, 1, 1),
                           arguments: [.tensor(a), .tensor(b), .int64(Int64(n)), .tensor(out)])
    }

    /// out = x · factor, soft-capped when `cap` > 0 (`scale_softcap_<type>`).
    static func scale(on backend: CUDABackend, _ x: Tensor, factor: Float, cap: Float, out: Tensor) throws {
        let n = x.elementCount
        guard n > 0 else { return }
        let type = try KernelNaming.suffix(x.dtype, op: "scale", allowed: KernelNaming.parameterTypes)
        let blocks = KernelNaming.strideBlocks(work: n, threads: threads, multiprocessors: backend.device.info.multiprocessorCount)
        try backend.launch(family: family, kernel: "scale_softcap_\(type)", grid: (blocks, 1, 1), block: (threads, 1, 1),
                           arguments: [.tensor(x), .int64(Int64(n)), .float(factor), .float(cap), .tensor(out)])
    }

    /// out[r, c] += bias[c], in place on `out` `[rows, cols]`.
    static func biasAdd(on backend: CUDABackend, out: Tensor, bias: Tensor, rows: Int, cols: Int) throws {
        guard rows > 0, cols > 0 else { return }
        let outName = try KernelNaming.suffix(out.dtype, op: "linear", allowed: KernelNaming.parameterTypes)
        let biasName = try KernelNaming.suffix(bias.dtype, op: "linear", allowed: KernelNaming.parameterTypes)
        let blocks = KernelNaming.strideBlocks(work: rows * cols, threads: threads, multiprocessors: backend.device.info.multiprocessorCount)
        try backend.launch(family: family, kernel: "bias_add_\(outName)_\(biasName)", grid: (blocks, 1, 1), block: (threads, 1, 1),
                           arguments: [.tensor(out), .tensor(bias), .int64(Int64(rows)), try .int(cols, "bias width")])
    }

    /// out[i] = x[rows[i]] for rows of `rowBytes` bytes, in the widest unit the row size
    /// and both addresses allow.
    static func gatherRows(on backend: CUDABackend, x: Tensor, rows: Tensor, out: Tensor, sourceRows: Int, rowBytes: Int) throws {
        let count = rows.elementCount
        guard count > 0, rowBytes > 0 else { return }
        let alignment = Int((try x.deviceAddress("gatherRows") | out.deviceAddress("gatherRows")) & 15) | (rowBytes & 15)
        let unit: (name: String, bytes: Int)
        if alignment == 0 { unit = ("b16", 16) }
        else if alignment & 3 == 0 { unit = ("b4", 4) }
        else if alignment & 1 == 0 { unit = ("b2", 2) }
        else { unit = ("b1", 1) }
        let perThread = rowBytes / unit.bytes
        try backend.launch(family: family, kernel: "gather_rows_\(unit.name)", grid: (count, 1, 1),
                           block: (min(256, max(32, KernelNaming.roundUp(perThread, 32))), 1, 1),
                           arguments: [.tensor(x), .int64(Int64(sourceRows)), .int64(Int64(rowBytes)), .tensor(rows), .tensor(out),
                                       try backend.statusArgument()])
    }
}
