/// A snapshot of the engine's counters, for logs, benchmarks and the server's metrics
/// endpoint. Counts of requests are counts of sequences (a request with `n > 1` counts n).
public struct EngineMetrics: Sendable, Equatable {
    public var runningSequences = 0
    public var waitingSequences = 0
    public var kvBlocksTotal = 0
    public var kvBlocksUsed = 0
    /// Blocks findable by content, in use or free.
    public var kvBlocksCached = 0
    /// Prompt tokens looked up in the prefix cache, and how many were found.
    public var prefixQueriedTokens = 0
    public var prefixHitTokens = 0
    public var steps = 0
    /// Tokens computed by forwards (prefill chunks, recomputation and decode).
    public var computedTokens = 0
    /// Prompt tokens computed (cached ones are not; recomputed ones count again).
    public var computedPromptTokens = 0
    public var generatedTokens = 0
    public var lastStepTokens = 0
    public var lastStepSequences = 0
    public var preemptions = 0
    public var finishedSequences = 0
    public var abortedSequences = 0
    public var timeToFirstToken = LatencyHistogram(upperBounds: LatencyHistogram.timeToFirstTokenBounds)
    public var interTokenLatency = LatencyHistogram(upperBounds: LatencyHistogram.interTokenBounds)
    /// Time of all steps so far, by phase.
    public var stepPhases = StepPhaseSeconds()

    public init() {}

    public var kvBlocksFree: Int { kvBlocksTotal - kvBlocksUsed }
    public var kvCacheUsage: Double { kvBlocksTotal > 0 ? Double(kvBlocksUsed) / Double(kvBlocksTotal) : 0 }
    public var prefixHitRate: Double { prefixQueriedTokens > 0 ? Double(prefixHitTokens) / Double(prefixQueriedTokens) : 0 }
    public var meanTokensPerStep: Double { steps > 0 ? Double(computedTokens) / Double(steps) : 0 }
}
