/// Where the engine's steps spend their time, summed over steps: host phases and the
/// wait for the device. A step whose device wait is small is host-bound, so this is what
/// tells whether to speed up kernels or the engine's own bookkeeping.
public struct StepPhaseSeconds: Sendable, Equatable {
    /// Scheduling: token grants, block allocation, preemption.
    public var schedule: Double = 0
    /// Laying the grant out as a `ForwardBatch` (host buffers and their upload).
    public var buildBatch: Double = 0
    /// Enqueueing the forward (or replaying its recording) and the device sampler; on
    /// the CPU, running the forward.
    public var forward: Double = 0
    /// Until the sampled ids are on the host, which includes waiting for the forward
    /// (GPUs), and host sampling where the device does not sample.
    public var sample: Double = 0
    /// The scheduler's commit, stop checks, detokenizing and outputs. With overlapping
    /// steps most of it runs while the device computes the next step.
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
