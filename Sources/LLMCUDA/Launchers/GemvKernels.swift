import LLMRuntime

/// Launcher of Kernels/gemv.cu: the linear layer of one-token steps, where reading the
/// weights once at full bandwidth is all that matters and a tensor-core GEMM tile would
/// mostly multiply padding.
enum GemvKernels {
    static let family = "gemv"
    /// gemv.cu's GEMV_WARPS: weight rows per block.
    static let rowsPerBlock = 4

    /// Whether `linear` of this shape and these addresses takes the kernel: one token,
    /// rows of whole 16-byte vectors, 16-byte aligned x and weight. (From two tokens on,
    /// cuBLASLt was as fast or faster on an H100.)
    static func accepts(tokens: Int, inFeatures: Int, x: Tensor, weight: Tensor) throws -> Bool {
        guard tokens == 1, inFeatures % 8 == 0 else { return false }
        return try (x.deviceAddress("linear") | weight.deviceAddress("linear")) & 15 == 0
    }

    /// out `[1, m]` = x `[1, k]` · weight `[m, k]`ᵀ (+ bias `[m]`). Shapes and types are
    /// checked by the op.
    static func gemv(on backend: CUDABackend, x: Tensor, weight: Tensor, bias: Tensor?, out: Tensor, m: Int, k: Int) throws {
        let input = try KernelNaming.suffix(x.dtype, op: "linear", allowed: KernelNaming.activationTypes)
        let output = out.dtype == .f32 ? "f32" : input
        try backend.launch(family: family, kernel: "gemv_\(input)_\(output)",
                           grid: ((m + rowsPerBlock - 1) / rowsPerBlock, 1, 1), block: (32 * rowsPerBlock, 1, 1),
                           arguments: [.tensor(x), .tensor(weight), .pointer(bias), .int32(try biasCode(bias)), .tensor(out),
                                       try .int(m, "out features"), try .int(k, "in features")])
    }

    /// gemv.cu's GemvBias code of a bias (0: none).
    static func biasCode(_ bias: Tensor?) throws -> Int32 {
        switch bias?.dtype {
        case nil: return 0
        case .f32?: return 1
        case .bf16?: return 2
        case .f16?: return 3
        case let other?: throw RuntimeError.unsupportedDType(op: "linear bias", dtype: other)
        }
    }
}
