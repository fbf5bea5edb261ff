import LLMRuntime

/// Launchers of Kernels/gemv.cu: the linear layers of one-token steps, where reading
/// the weights once at full bandwidth is all that matters and a tensor-core GEMM tile
/// would mostly multiply padding.
enum GemvKernels {
    static let family = "gemv"
    /// gemv.cu's GEMV_WARPS: rows (gated: output columns) per block.
    static let rowsPerBlock = 4
    /// Products one `gemv_*` launch computes.
    static let maxSegments = 3

    /// Whether a product of this shape and these addresses takes the kernels: one
    /// token, rows of whole 16-byte vectors, 16-byte aligned x and weight. (From two
    /// tokens on, cuBLASLt was as fast or faster on an H100.)
    static func accepts(tokens: Int, inFeatures: Int, x: Tensor, weight: Tensor) throws -> Bool {
        guard tokens == 1, inFeatures % 8 == 0 else { return false }
        return try (x.deviceAddress("linear") | weight.deviceAddress("linear")) & 15 == 0
    }

    /// Each output's out `[1, m]` = x `[1, k]` · weight `[m, k]`ᵀ (+ bias), all outputs of
    /// one type, in one launch. Shapes and types are checked by the op.
    static func gemv(on backend: CUDABackend, x: Tensor, outputs: [LinearOutput], k: Int) throws {
        guard let first = outputs.first, outputs.count <= maxSegments else {
            throw RuntimeError.invalidArgument(op: "linear", reason: "\(outputs.count) products for one launch (1...\(maxSegments))")
        }
        let input = try KernelNaming.suffix(x.dtype, op: "linear", allowed: KernelNaming.activationTypes)
        let output = first.out.dtype == .f32 ? "f32" : input
        var arguments: [KernelArgument] = [.tensor(x), try .int(k, "in features")]
        var rows = 0
        for index in 0..<maxSegments {
            if index < outputs.count {
                let o = outputs[index], m = o.weight.shape[0]
                arguments += [.tensor(o.weight), .pointer(o.bias), .int32(try biasCode(o.bias)), .tensor(o.out), try .int(m, "out features")]
                rows += m
            } else {
                arguments += [.address(0), .address(0), .int32(0), .address(0), .int32(0)]
            }
        }
        try backend.launch(family: family, kernel: "gemv_\(input)_\(output)", grid: ((rows + rowsPerBlock - 1) / rowsPerBlock, 1, 1),
                           block: (32 * rowsPerBlock, 1, 1), arguments: arguments)
    }

    /// out `[1, ff]` = act(x · gateᵀ) * (x · upᵀ) for weight `[2*ff, k]`.
    static func gated(on backend: CUDABackend, x: Tensor, weight: Tensor, kind: GatedActivation, out: Tensor, ff: Int, k: Int) throws {
        let type = try KernelNaming.suffix(x.dtype, op: "gatedLinear", allowed: KernelNaming.activationTypes)
        let act = kind == .silu ? "silu" : "gelu_tanh"
        try backend.launch(family: family, kernel: "gemv_gated_\(act)_\(type)", grid: ((ff + rowsPerBlock - 1) / rowsPerBlock, 1, 1),
                           block: (32 * rowsPerBlock, 1, 1),
                           arguments: [.tensor(x), .tensor(weight), .tensor(out), try .int(ff, "ff width"), try .int(k, "in features")])
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
