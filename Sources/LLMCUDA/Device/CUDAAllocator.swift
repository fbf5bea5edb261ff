import Foundation
import LLMRuntime

/// A caching allocator of device memory. Freed buffers go to free lists keyed by size
/// class and are reused by later requests of the same class, so the steady state makes
/// no driver calls (cuMemAlloc and cuMemFree synchronise the device). When the driver
/// runs out of memory the cache is released and the allocation retried once.
///
/// Size classes: up to 1 MiB, multiples of 512 bytes; above, multiples of 2 MiB (the
/// driver's own granularity for large allocations, so rounding costs no extra memory).
public final class CUDAAllocator: @unchecked Sendable {
    /// Memory accounting, in bytes of size classes.
    public struct Statistics: Sendable, Equatable {
        /// Held by live buffers.
        public var bytesInUse = 0
        /// Held in the free lists, ready for reuse.
        public var bytesCached = 0
        /// Highest `bytesInUse` seen (see ``CUDAAllocator/resetPeak()``).
        public var peakBytesInUse = 0
        /// Live buffers.
        public var liveBuffers = 0
        /// Calls to cuMemAlloc so far.
        public var deviceAllocations = 0
        /// Requests served from the cache so far.
        public var cacheHits = 0
    }

    public let device: CUDADevice
    private let lock = NSLock()
    private var freeLists: [Int: [CUdeviceptr]] = [:]
    private var stats = Statistics()

    public init(device: CUDADevice) {
        self.device = device
    }

    deinit {
        guard (try? device.makeCurrent()) != nil else { return }
        _ = device.driver.cuStreamSynchronize(device.stream)
        for (_, addresses) in freeLists { for address in addresses { _ = device.driver.cuMemFree(address) } }
    }

    static let smallLimit = 1 << 20
    static let smallGranularity = 512
    static let largeGranularity = 2 << 20

    /// The bytes reserved for a request of `bytes`.
    public static func sizeClass(for bytes: Int) -> Int {
        let granularity = bytes <= smallLimit ? smallGranularity : largeGranularity
        return (bytes + granularity - 1) / granularity * granularity
    }

    /// A buffer of at least `byteCount` bytes (contents undefined). Throws
    /// ``RuntimeError/outOfMemory(requestedBytes:)`` when the device is full even after
    /// releasing the cache.
    public func allocate(byteCount: Int) throws -> CUDABuffer {
        guard byteCount >= 0 else { throw RuntimeError.invalidArgument(op: "allocate", reason: "negative size \(byteCount)") }
        if byteCount == 0 { return CUDABuffer(address: 0, byteCount: 0, capacity: 0, allocator: nil) }
        let capacity = Self.sizeClass(for: byteCount)
        let cached: CUdeviceptr? = lock.withLock {
            guard let address = freeLists[capacity]?.popLast() else { return nil }
            stats.bytesCached -= capacity
            stats.cacheHits += 1
            noteAllocated(capacity)
            return address
        }
        if let cached { return CUDABuffer(address: cached, byteCount: byteCount, capacity: capacity, allocator: self) }

        try device.makeCurrent()
        var address: CUdeviceptr = 0
        var result = device.driver.cuMemAlloc(&address, capacity)
        if result == CUDAConstant.errorOutOfMemory {
            try trim()
            result = device.driver.cuMemAlloc(&address, capacity)
        }
        if result == CUDAConstant.errorOutOfMemory { throw RuntimeError.outOfMemory(requestedBytes: byteCount) }
        try device.driver.check(result, "cuMemAlloc_v2(\(capacity) bytes)")
        lock.withLock {
            stats.deviceAllocations += 1
            noteAllocated(capacity)
        }
        return CUDABuffer(address: address, byteCount: byteCount, capacity: capacity, allocator: self)
    }

    /// Called with the lock held.
    private func noteAllocated(_ capacity: Int) {
        stats.bytesInUse += capacity
        stats.liveBuffers += 1
        stats.peakBytesInUse = max(stats.peakBytesInUse, stats.bytesInUse)
    }

    /// Puts a buffer's memory on its free list (from ``CUDABuffer``'s deinit).
    func release(address: CUdeviceptr, capacity: Int) {
        lock.withLock {
            freeLists[capacity, default: []].append(address)
            stats.bytesInUse -= capacity
            stats.bytesCached += capacity
            stats.liveBuffers -= 1
        }
    }

    /// Returns every cached block to the driver, after the queued work has finished.
    public func trim() throws {
        try device.synchronize()
        let blocks: [CUdeviceptr] = lock.withLock {
            let all = freeLists.values.flatMap { $0 }
            freeLists.removeAll()
            stats.bytesCached = 0
            return all
        }
        var firstError: Error?
        for address in blocks {
            do { try device.driver.check(device.driver.cuMemFree(address), "cuMemFree_v2") } catch { firstError = firstError ?? error }
        }
        if let firstError { throw firstError }
    }

    /// Current accounting.
    public var statistics: Statistics { lock.withLock { stats } }

    /// Starts peak tracking again from the bytes in use now.
    public func resetPeak() {
        lock.withLock { stats.peakBytesInUse = stats.bytesInUse }
    }
}
