/// A read-only tensor in host memory, usually a view into a memory-mapped checkpoint.
/// `shape` is row-major with the last dimension contiguous (HF order: `[out, in]` for
/// weights). `owner` keeps the backing memory (a mapping or an array) alive.
public struct HostTensor: @unchecked Sendable {
    public let shape: [Int]
    public let dtype: DType
    public let data: UnsafeRawPointer
    public let owner: AnyObject?

    public init(shape: [Int], dtype: DType, data: UnsafeRawPointer, owner: AnyObject?) {
        self.shape = shape
        self.dtype = dtype
        self.data = data
        self.owner = owner
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { dtype.byteCount(elements: elementCount) }
}

/// Heap memory owned by a Swift object, for tensors built on the host.
public final class HostBuffer: @unchecked Sendable {
    public let pointer: UnsafeMutableRawPointer
    public let byteCount: Int

    public init(byteCount: Int) {
        self.byteCount = byteCount
        // 64-byte alignment keeps AVX-512 loads aligned.
        pointer = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: 64)
    }

    deinit { pointer.deallocate() }
}

extension HostTensor {
    /// Copies `values` into a new f32 host tensor.
    public static func f32(_ values: [Float], shape: [Int]) -> HostTensor {
        let buffer = HostBuffer(byteCount: values.count * 4)
        values.withUnsafeBytes { buffer.pointer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return HostTensor(shape: shape, dtype: .f32, data: UnsafeRawPointer(buffer.pointer), owner: buffer)
    }
}
