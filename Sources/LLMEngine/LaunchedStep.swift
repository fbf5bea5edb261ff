import LLMRuntime

/// A step whose forward, and device sampling where its rows allow, are enqueued: what
/// the engine needs to read its tokens and commit them.
struct LaunchedStep {
    var plan: SchedulerStep
    var logits: Tensor
    /// The sequence of each logits row.
    var rows: [Int]
    /// Rows whose token the device sampler writes; the others are sampled on the host.
    var onDevice: [Bool]
}
