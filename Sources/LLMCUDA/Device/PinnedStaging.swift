import Foundation

/// Page-locked host memory through which host↔device copies go: a ring of `capacity`
/// bytes. An upload copies (or converts) a chunk of the caller's data into the ring,
/// queues the DMA on the compute stream and records an event; the ring space is reused
/// once that event has passed. So `write` returns as soon as the data is staged, many
/// small writes in a step never wait for the GPU, and large ones stream through in
/// chunks of half the ring while earlier chunks are in flight.
final class PinnedStaging: @unchecked Sendable {
    let device: CUDADevice
    let capacity: Int
    private let lock = NSLock()
    private var base: UnsafeMutableRawPointer?
    private var pinned = false
    private var head = 0
    private var inFlight: [(start: Int, end: Int, event: CUevent)] = []
    private var spareEvents: [CUevent] = []

    static let alignment = 256

    init(device: CUDADevice, capacity: Int = 32 << 20) {
        self.device = device
        self.capacity = capacity
    }

    deinit {
        guard (try? device.makeCurrent()) != nil else { return }
        _ = device.driver.cuStreamSynchronize(device.stream)
        for event in inFlight.map(\.event) + spareEvents { _ = device.driver.cuEventDestroy(event) }
        if let base {
            if pinned { _ = device.driver.cuMemFreeHost(base) } else { free(base) }
        }
    }

    /// The largest piece staged at once.
    var chunkBytes: Int { capacity / 2 }

    /// Queues a copy of `byteCount` bytes to `address`; `fill(staging, offset, count)`
    /// writes bytes `offset ..< offset + count` of the data into `staging`.
    func upload(to address: CUdeviceptr, byteCount: Int,
                fill: (UnsafeMutableRawPointer, _ offset: Int, _ count: Int) throws -> Void) throws {
        try lock.withLock {
            try device.makeCurrent()
            var offset = 0
            while offset < byteCount {
                let count = min(chunkBytes, byteCount - offset)
                let start = try reserve(count)
                let staging = try ring() + start
                try fill(staging, offset, count)
                try device.driver.check(device.driver.cuMemcpyHtoDAsync(address + UInt64(offset), staging, count, device.stream),
                                        "cuMemcpyHtoDAsync_v2(\(count) bytes)")
                try markInFlight(start: start, count: count)
                offset += count
            }
        }
    }

    /// Copies `byteCount` bytes at `address` into `destination`, waiting for the stream.
    func download(from address: CUdeviceptr, byteCount: Int, into destination: UnsafeMutableRawPointer) throws {
        try lock.withLock {
            try device.makeCurrent()
            var offset = 0
            while offset < byteCount {
                let count = min(chunkBytes, byteCount - offset)
                let start = try reserve(count)
                let staging = try ring() + start
                try device.driver.check(device.driver.cuMemcpyDtoHAsync(staging, address + UInt64(offset), count, device.stream),
                                        "cuMemcpyDtoHAsync_v2(\(count) bytes)")
                try device.driver.check(device.driver.cuStreamSynchronize(device.stream), "cuStreamSynchronize")
                // Everything queued before has finished too: the whole ring is free.
                spareEvents += inFlight.map(\.event)
                inFlight.removeAll()
                head = 0
                (destination + offset).copyMemory(from: staging, byteCount: count)
                offset += count
            }
        }
    }

    /// The ring, allocated on first use; plain memory when the system refuses to pin
    /// (copies still work, the driver stages them itself).
    private func ring() throws -> UnsafeMutableRawPointer {
        if let base { return base }
        var pointer: UnsafeMutableRawPointer?
        if device.driver.cuMemAllocHost(&pointer, capacity) == CUDAConstant.success, let pointer {
            pinned = true
            base = pointer
        } else {
            guard let memory = malloc(capacity) else { throw CUDAError.invalidLaunch(function: "staging", reason: "no host memory for \(capacity) bytes") }
            base = memory
        }
        return base!
    }

    /// Ring space for `count` bytes, waiting for the oldest copies that still use it.
    private func reserve(_ count: Int) throws -> Int {
        let size = (count + Self.alignment - 1) / Self.alignment * Self.alignment
        var start = head
        if start + size > capacity { start = 0 }
        let end = start + size
        try retireCompleted()
        while inFlight.contains(where: { $0.start < end && start < $0.end }) {
            let oldest = inFlight.removeFirst()
            try device.driver.check(device.driver.cuEventSynchronize(oldest.event), "cuEventSynchronize")
            spareEvents.append(oldest.event)
        }
        head = end
        return start
    }

    /// Drops finished copies from the front of the queue without waiting.
    private func retireCompleted() throws {
        while let oldest = inFlight.first {
            let result = device.driver.cuEventQuery(oldest.event)
            if result == CUDAConstant.errorNotReady { return }
            try device.driver.check(result, "cuEventQuery")
            spareEvents.append(inFlight.removeFirst().event)
        }
    }

    private func markInFlight(start: Int, count: Int) throws {
        let event: CUevent
        if let spare = spareEvents.popLast() {
            event = spare
        } else {
            var created: CUevent?
            try device.driver.check(device.driver.cuEventCreate(&created, CUDAConstant.eventDisableTiming), "cuEventCreate")
            event = created!
        }
        do {
            try device.driver.check(device.driver.cuEventRecord(event, device.stream), "cuEventRecord")
        } catch {
            spareEvents.append(event)
            throw error
        }
        inFlight.append((start, start + count, event))
    }
}
