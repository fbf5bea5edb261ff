#if canImport(Glibc)
import Glibc
#endif
import LLMRuntime

/// Host memory seen as a backend buffer: either owned (allocated here) or a view of
/// checkpoint memory kept alive by `owner`.
final class CPUBuffer: DeviceBuffer, @unchecked Sendable {
    let pointer: UnsafeMutableRawPointer
    let byteCount: Int
    private let owned: Bool
    private let owner: AnyObject?

    init(byteCount: Int) throws {
        guard byteCount >= 0 else { throw RuntimeError.invalidArgument(op: "allocate", reason: "negative size \(byteCount)") }
        // calloc maps large blocks lazily: a KV cache sized for the whole context costs
        // resident memory only for the tokens actually cached.
        guard let memory = calloc(max(byteCount, 1), 1) else { throw RuntimeError.outOfMemory(requestedBytes: byteCount) }
        pointer = memory
        self.byteCount = byteCount
        owned = true
        owner = nil
    }

    /// Wraps read-only checkpoint memory; kernels never write to weights.
    init(borrowing data: UnsafeRawPointer, byteCount: Int, owner: AnyObject?) {
        pointer = UnsafeMutableRawPointer(mutating: data)
        self.byteCount = byteCount
        owned = false
        self.owner = owner
    }

    deinit { if owned { free(pointer) } }
}

extension Tensor {
    /// The tensor's first byte, for tensors of the CPU backend.
    func cpuPointer(_ op: String) throws -> UnsafeMutableRawPointer {
        guard let buffer = buffer as? CPUBuffer else {
            throw RuntimeError.invalidArgument(op: op, reason: "tensor does not live on the CPU backend")
        }
        guard byteOffset + byteCount <= buffer.byteCount else {
            throw RuntimeError.invalidArgument(op: op, reason: "view \(self) at offset \(byteOffset) exceeds its buffer of \(buffer.byteCount) bytes")
        }
        return buffer.pointer + byteOffset
    }

    func floats(_ op: String) throws -> UnsafeMutablePointer<Float> {
        guard dtype == .f32 else { throw RuntimeError.unsupportedDType(op: op, dtype: dtype) }
        return try cpuPointer(op).assumingMemoryBound(to: Float.self)
    }

    func int32s(_ op: String) throws -> UnsafeMutablePointer<Int32> {
        guard dtype == .i32 else { throw RuntimeError.unsupportedDType(op: op, dtype: dtype) }
        return try cpuPointer(op).assumingMemoryBound(to: Int32.self)
    }
}
