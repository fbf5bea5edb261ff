import LLMRuntime

/// Launcher of Kernels/random.cu.
enum RandomKernels {
    static let family = "random"
    static let threads = 256

    /// Fills an f32 or bf16 tensor with the CPU backend's `fillUniform` sequence.
    static func fillUniform(on backend: CUDABackend, _ tensor: Tensor, seed: UInt64, low: Float, high: Float) throws {
        let n = tensor.elementCount
        guard n > 0 else { return }
        let type = try KernelNaming.suffix(tensor.dtype, op: "fillUniform", allowed: [.f32, .bf16])
        let blocks = KernelNaming.strideBlocks(work: n, threads: threads, multiprocessors: backend.device.info.multiprocessorCount)
        try backend.launch(family: family, kernel: "fill_uniform_\(type)", grid: (blocks, 1, 1), block: (threads, 1, 1),
                           arguments: [.tensor(tensor), .int64(Int64(n)), .uint64(seed), .float(low), .float(high - low)])
    }
}
