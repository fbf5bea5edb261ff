/// Where the engine's steps spend their time, summed over steps: host phases and the
/// wait for the device. A step whose device wait is small is host-bound, so this is what
/// tells whether to speed up kernels or the engine's own bookkeeping.
public struct StepPhaseSeconds: Sendable, Equatable {
    /// Scheduling: token grants, block allocation, preemption.
    public var schedule: Double = 0
    /// Laying the grant out as a `ForwardBatch` (host buffers and their upload).
    public var buildBatch: Double = 0
    /// Enqueueing the forward (or replaying its recording); on the CPU, running it.
    public var forward: Double = 0
    /// Device sampling until the ids are on the host, which includes waiting for the
    /// forward queued before it (GPUs).
    public var sample: Double = 0
    /// Host sampling (where the device does not sample), accepting tokens, stop checks,
    /// detokenizing and the scheduler's commit.
    public var finish: Double = 0

    public init() {}

    /// The time spent between two snapshots.
    public func since(_ earlier: StepPhaseSeconds) -> StepPhaseSeconds {
        var d = StepPhaseSeconds()
        d.schedule = schedule - earlier.schedule
        d.buildBatch = buildBatch - earlier.buildBatch
        d.forward = forward - earlier.forward
        d.sample = sample - earlier.sample
        d.finish = finish - earlier.finish
        return d
    }
}
