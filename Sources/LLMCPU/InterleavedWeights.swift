import CLLMKernels
import Foundation
import LLMRuntime

/// Weight matrices repacked for the interleaved kernel (16 rows per group; Q4_0, Q4_1 and Q8_0 on AVX-512 VNNI or AVX2),
/// made at a matrix's first product and kept for the backend's lifetime. The checkpoint
/// layout stays where it was: the embedding op and exact mode read it.
final class InterleavedWeights: @unchecked Sendable {
    private struct Key: Hashable {
        let buffer: ObjectIdentifier
        let byteOffset: Int
    }

    private struct Entry {
        /// Holds the original alive, so its identifier cannot be reused by another buffer.
        let original: any DeviceBuffer
        let repacked: CPUBuffer?
    }

    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]

    /// The repacked copy of `weight` (`[rows, in]`), made now if needed; nil when the
    /// kernel does not cover it (format, shape, CPU).
    func pointer(for weight: Tensor, rows: Int, inFeatures: Int) throws -> UnsafeRawPointer? {
        let type = weight.dtype.kernelTypeID
        let bytes = llm_interleaved_bytes(type, Int64(rows), Int64(inFeatures))
        guard bytes > 0 else { return nil }
        let key = Key(buffer: ObjectIdentifier(weight.buffer), byteOffset: weight.byteOffset)
        lock.lock()
        defer { lock.unlock() }
        if let entry = entries[key] { return entry.repacked.map { UnsafeRawPointer($0.pointer) } }
        let repacked = try CPUBuffer(byteCount: bytes)
        let made = llm_interleave_weights(type, try weight.cpuPointer("linear"), Int64(rows), Int64(inFeatures), repacked.pointer)
        entries[key] = Entry(original: weight.buffer, repacked: made ? repacked : nil)
        return made ? UnsafeRawPointer(repacked.pointer) : nil
    }
}
