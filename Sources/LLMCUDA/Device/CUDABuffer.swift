import LLMRuntime

/// Device memory holding a tensor's bytes. Dropping the last reference returns the
/// memory to its ``CUDAAllocator``'s cache; the stream order of the single compute
/// stream keeps the reuse safe while earlier kernels still read it.
public final class CUDABuffer: DeviceBuffer, @unchecked Sendable {
    /// The first byte on the device (0 for an empty buffer).
    public let address: CUdeviceptr
    /// Bytes requested; the allocation itself may be larger (its size class).
    public let byteCount: Int
    /// Bytes actually reserved.
    let capacity: Int
    private let allocator: CUDAAllocator?

    init(address: CUdeviceptr, byteCount: Int, capacity: Int, allocator: CUDAAllocator?) {
        self.address = address
        self.byteCount = byteCount
        self.capacity = capacity
        self.allocator = allocator
    }

    deinit {
        allocator?.release(address: address, capacity: capacity)
    }
}

extension Tensor {
    /// The device address of this view's first byte, for tensors of the CUDA backend.
    /// `op` names the caller in the error thrown for a tensor of another backend or a
    /// view outside its buffer.
    public func deviceAddress(_ op: String) throws -> CUdeviceptr {
        guard let buffer = buffer as? CUDABuffer else {
            throw RuntimeError.invalidArgument(op: op, reason: "tensor \(self) does not live on the CUDA backend")
        }
        guard byteOffset >= 0, byteOffset + byteCount <= buffer.byteCount else {
            throw RuntimeError.invalidArgument(op: op, reason: "view \(self) at offset \(byteOffset) exceeds its buffer of \(buffer.byteCount) bytes")
        }
        return buffer.address + UInt64(byteOffset)
    }
}
