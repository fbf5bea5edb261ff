/// A CUDA event on a device's compute stream: marks a point in the queued work, to
/// wait for it or to time the work between two events.
public final class CUDAEvent: @unchecked Sendable {
    public let device: CUDADevice
    let event: CUevent

    /// Creates an event; `timing` enables ``elapsedMilliseconds(since:)`` (slightly
    /// slower to record).
    public init(device: CUDADevice, timing: Bool = false) throws {
        self.device = device
        try device.makeCurrent()
        var event: CUevent?
        let flags = timing ? CUDAConstant.eventDefault : CUDAConstant.eventDisableTiming
        try device.driver.check(device.driver.cuEventCreate(&event, flags), "cuEventCreate")
        self.event = event!
    }

    deinit {
        if (try? device.makeCurrent()) != nil { _ = device.driver.cuEventDestroy(event) }
    }

    /// Marks the current end of the compute stream's queue.
    public func record() throws {
        try device.makeCurrent()
        try device.driver.check(device.driver.cuEventRecord(event, device.stream), "cuEventRecord")
    }

    /// Waits until the work before the last ``record()`` has finished.
    public func synchronize() throws {
        try device.makeCurrent()
        try device.driver.check(device.driver.cuEventSynchronize(event), "cuEventSynchronize")
    }

    /// Whether the work before the last ``record()`` has finished, without waiting.
    public func isComplete() throws -> Bool {
        try device.makeCurrent()
        let result = device.driver.cuEventQuery(event)
        if result == CUDAConstant.errorNotReady { return false }
        try device.driver.check(result, "cuEventQuery")
        return true
    }

    /// GPU time from `start`'s record to this event's record, in milliseconds; both must
    /// be timing events and completed.
    public func elapsedMilliseconds(since start: CUDAEvent) throws -> Float {
        try device.makeCurrent()
        var milliseconds: Float = 0
        try device.driver.check(device.driver.cuEventElapsedTime(&milliseconds, start.event, event), "cuEventElapsedTime")
        return milliseconds
    }
}
