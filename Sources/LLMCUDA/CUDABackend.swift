import LLMRuntime

/// The NVIDIA GPU backend: bf16 activations and weights, our NVRTC-compiled kernels for
/// the ops, cuBLASLt for the matrix products, everything queued on one compute stream
/// so a forward pass needs no host synchronisation. The ops themselves are in
/// CUDABackend+Ops.swift; this file is the device, memory and transfer core.
public final class CUDABackend: Backend, @unchecked Sendable {
    public let name = "cuda"
    public let activationDType = DType.bf16
    public let kvCacheDTypes = [DType.bf16, .f8_e4m3]
    public let samplesOnDevice = true
    public let runsAsynchronously = true
    public let device: CUDADevice
    public let allocator: CUDAAllocator
    public let kernels: KernelLibrary
    let staging: PinnedStaging
    private let blasWorkspaceBytes: Int
    private let blasState = LazyBox<BlasLtMatmul>()
    private let gridCounterState = LazyBox<Tensor>()

    /// Opens GPU `deviceOrdinal`. `stagingBytes` sizes the pinned host ring transfers go
    /// through; `blasWorkspaceBytes` the cuBLASLt workspace.
    public init(deviceOrdinal: Int = 0, stagingBytes: Int = 32 << 20, blasWorkspaceBytes: Int = 32 << 20) throws {
        device = try CUDADevice(ordinal: deviceOrdinal)
        allocator = CUDAAllocator(device: device)
        kernels = KernelLibrary(device: device)
        staging = PinnedStaging(device: device, capacity: stagingBytes)
        self.blasWorkspaceBytes = blasWorkspaceBytes
    }

    /// "NVIDIA H100 80GB HBM3 (sm_90a, 132 SMs, 79.2 GiB, driver CUDA 13.0)".
    public var deviceDescription: String { "GPU \(device.info.ordinal): \(device.info)" }

    /// The cuBLASLt matrix product of this device, created on first use (loading
    /// cuBLASLt then, so the other ops work without it).
    public func blasLt() throws -> BlasLtMatmul {
        try blasState.value { try BlasLtMatmul(device: device, allocator: allocator, workspaceBytes: blasWorkspaceBytes) }
    }

    /// Entries of ``gridCounters()``.
    static let gridCounterCount = 4096

    /// Counters of the fused attention-input kernel, whose last block to finish a head
    /// does the head's epilogue: zero between launches, as that block resets its head's
    /// counter.
    func gridCounters() throws -> Tensor {
        try gridCounterState.value { try allocate(shape: [Self.gridCounterCount], dtype: .i32) }
    }

    /// A zero-filled tensor.
    public func allocate(shape: [Int], dtype: DType) throws -> Tensor {
        let buffer = try allocator.allocate(byteCount: OpShapes.allocation(shape: shape, dtype: dtype))
        try device.memset(buffer.address, bytes: buffer.byteCount)
        return Tensor(buffer: buffer, shape: shape, dtype: dtype)
    }

    /// Weights are stored as bf16; the loader expands other formats (GGUF blocks) to f32
    /// on the host first.
    public var weightTypes: Set<DType> { [.f32, .f16, .bf16] }

    /// Copies a checkpoint tensor to the device: bf16 as is, f32 and f16 converted to
    /// bf16 (round to nearest even) on the way through the staging buffer, i32 as is.
    public func upload(weight: HostTensor) throws -> Tensor {
        let count = weight.elementCount
        switch weight.dtype {
        case .bf16, .i32:
            let tensor = try allocateUninitialised(shape: weight.shape, dtype: weight.dtype)
            try write(UnsafeRawBufferPointer(start: weight.data, count: weight.byteCount), to: tensor)
            return tensor
        case .f32, .f16:
            let tensor = try allocateUninitialised(shape: weight.shape, dtype: .bf16)
            let sourceWidth = weight.dtype == .f32 ? 4 : 2
            let source = weight.data
            try staging.upload(to: tensor.deviceAddress("upload"), byteCount: count * 2) { staged, offset, bytes in
                let first = offset / 2, elements = bytes / 2
                if sourceWidth == 4 {
                    BFloat16Conversion.convert(f32: source + first * 4, to: staged, count: elements)
                } else {
                    BFloat16Conversion.convert(f16: source + first * 2, to: staged, count: elements)
                }
            }
            withExtendedLifetime(weight.owner) {}
            return tensor
        default:
            throw RuntimeError.unsupportedDType(op: "upload", dtype: weight.dtype)
        }
    }

    /// Fills an f32 or bf16 tensor with the CPU backend's sequence (SplitMix64, 24-bit
    /// uniforms), computed on the device, so a random-weight model is the same model on
    /// both backends (up to bf16 rounding).
    public func fillUniform(_ tensor: Tensor, seed: UInt64, low: Float, high: Float) throws {
        try RandomKernels.fillUniform(on: self, tensor, seed: seed, low: low, high: high)
    }

    /// Queues a host → device copy; `source` may be reused as soon as this returns.
    public func write(_ source: UnsafeRawBufferPointer, to tensor: Tensor) throws {
        guard source.count == tensor.byteCount else {
            throw RuntimeError.shapeMismatch(op: "write", expected: "\(tensor.byteCount) bytes", got: "\(source.count) bytes")
        }
        guard let base = source.baseAddress, source.count > 0 else { return }
        try staging.upload(to: tensor.deviceAddress("write"), byteCount: source.count) { staged, offset, bytes in
            staged.copyMemory(from: base + offset, byteCount: bytes)
        }
    }

    /// Copies a tensor to the host after the queued work that produces it.
    public func read(_ tensor: Tensor, into destination: UnsafeMutableRawBufferPointer) throws {
        guard destination.count == tensor.byteCount else {
            throw RuntimeError.shapeMismatch(op: "read", expected: "\(tensor.byteCount) bytes", got: "\(destination.count) bytes")
        }
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        try staging.download(from: tensor.deviceAddress("read"), byteCount: destination.count, into: base)
    }

    public func synchronize() throws {
        try device.synchronize()
    }

    /// The driver's free device memory (`cuMemGetInfo`). Blocks this backend's allocator
    /// caches are not counted: they stay reserved for the buffers that used them.
    public func freeMemoryBytes() throws -> Int? {
        try device.makeCurrent()
        var free = 0, total = 0
        try device.driver.check(device.driver.cuMemGetInfo(&free, &total), "cuMemGetInfo_v2")
        return free
    }

    public func zero(_ tensor: Tensor) throws {
        try device.memset(tensor.deviceAddress("zero"), bytes: tensor.byteCount)
    }

    /// Looks up kernel `kernel` of family `family` and queues it (see
    /// ``CUDADevice/launch(_:grid:block:sharedMemoryBytes:arguments:)``).
    public func launch(family: String, kernel: String, grid: (Int, Int, Int), block: (Int, Int, Int),
                       sharedMemoryBytes: Int = 0, arguments: [KernelArgument]) throws {
        let function = try kernels.function(family: family, name: kernel)
        try device.launch(function, grid: grid, block: block, sharedMemoryBytes: sharedMemoryBytes, arguments: arguments)
    }

    private func allocateUninitialised(shape: [Int], dtype: DType) throws -> Tensor {
        Tensor(buffer: try allocator.allocate(byteCount: dtype.byteCount(elements: shape.reduce(1, *))), shape: shape, dtype: dtype)
    }
}
