import LLMRuntime

/// Sizes and limits of an engine instance.
public struct EngineOptions: Sendable, Equatable {
    /// The KV budget where neither `kvCacheBytes` is set nor the backend reports free memory.
    public static let defaultKVCacheBytes = 512 << 20

    /// Most tokens in one forward pass (`maxNumTokens`); longer prompts are prefilled in
    /// chunks, and decode tokens of running requests share the step with them.
    public var maxBatchTokens: Int
    /// Most requests running at once (`maxNumSeqs`): also the most logit rows per step.
    public var maxSequences: Int
    /// Tokens per KV cache block.
    public var blockSize: Int
    /// Memory for the KV cache in bytes. nil: a fraction of the memory left after loading
    /// and a profiling step where the backend reports free memory (GPUs), else
    /// ``defaultKVCacheBytes``.
    public var kvCacheBytes: Int?
    /// Share of the free memory measured after the profiling step that becomes KV blocks
    /// (when `kvCacheBytes` is nil and the backend reports free memory).
    public var kvCacheMemoryFraction: Double
    /// Reuse the KV of full blocks across requests with the same prefix.
    public var prefixCaching: Bool
    /// Cap on prompt + generated tokens; nil = the model's own limit (and the cache's).
    public var maxModelLength: Int?
    /// Where tokens are sampled: `nil` lets the backend decide (on the device for GPUs);
    /// `true` uses the backend's `sample` op whenever the request allows, `false` the host.
    public var sampleOnDevice: Bool?
    /// Enqueue each step's successor before finishing it (stop checks, detokenizing,
    /// outputs), so that host work overlaps the device's; `nil` does so where the backend
    /// runs asynchronously (GPUs). Where ops run synchronously it only delays outputs.
    public var overlapSteps: Bool?
    /// Record decode steps and replay them (CUDA graphs) where the backend can.
    public var recordDecodeSteps: Bool
    /// Most decode-step recordings kept; the least recently replayed is dropped beyond it.
    public var maxRecordedSteps: Int
    /// Zero the whole KV cache at start so it is resident from the first request: a server's
    /// footprint is then fixed at start-up instead of growing as requests first touch blocks
    /// (the CPU backend maps its cache lazily).
    public var reserveKVCache: Bool
    /// Element type of the KV cache; nil = the backend's default (`Backend.kvCacheDTypes`).
    public var kvCacheDType: DType?

    public init(maxBatchTokens: Int = 512, maxSequences: Int = 256, blockSize: Int = 16, kvCacheBytes: Int? = nil,
                kvCacheMemoryFraction: Double = 0.9, prefixCaching: Bool = true, maxModelLength: Int? = nil,
                sampleOnDevice: Bool? = nil, overlapSteps: Bool? = nil, recordDecodeSteps: Bool = true, maxRecordedSteps: Int = 64,
                reserveKVCache: Bool = false, kvCacheDType: DType? = nil) {
        self.maxBatchTokens = maxBatchTokens
        self.maxSequences = maxSequences
        self.blockSize = blockSize
        self.kvCacheBytes = kvCacheBytes
        self.kvCacheMemoryFraction = kvCacheMemoryFraction
        self.prefixCaching = prefixCaching
        self.maxModelLength = maxModelLength
        self.sampleOnDevice = sampleOnDevice
        self.overlapSteps = overlapSteps
        self.recordDecodeSteps = recordDecodeSteps
        self.maxRecordedSteps = maxRecordedSteps
        self.reserveKVCache = reserveKVCache
        self.kvCacheDType = kvCacheDType
    }

    /// The KV cache element type on `backend`: the configured one if the backend reads it.
    func kvCacheDType(on backend: any Backend) throws -> DType {
        guard let wanted = kvCacheDType else { return backend.kvCacheDTypes[0] }
        guard backend.kvCacheDTypes.contains(wanted) else {
            throw EngineError.invalidOption(field: "kvCacheDType", expected: "one of \(backend.kvCacheDTypes.map(\.rawValue).joined(separator: ", ")) on \(backend.name)",
                                            found: wanted.rawValue)
        }
        return wanted
    }

    /// Throws on a value no engine can run with.
    public func validate() throws {
        guard blockSize > 0, blockSize <= 1024 else {
            throw EngineError.invalidOption(field: "blockSize", expected: "1...1024", found: "\(blockSize)")
        }
        for (field, value) in [("maxBatchTokens", maxBatchTokens), ("maxSequences", maxSequences), ("maxRecordedSteps", maxRecordedSteps)] where value < 1 {
            throw EngineError.invalidOption(field: field, expected: "a positive count", found: "\(value)")
        }
        if let bytes = kvCacheBytes, bytes < 1 {
            throw EngineError.invalidOption(field: "kvCacheBytes", expected: "a positive byte count", found: "\(bytes)")
        }
        guard kvCacheMemoryFraction > 0, kvCacheMemoryFraction <= 1 else {
            throw EngineError.invalidOption(field: "kvCacheMemoryFraction", expected: "a fraction in (0, 1]", found: "\(kvCacheMemoryFraction)")
        }
        if let cap = maxModelLength, cap < 2 {
            throw EngineError.invalidOption(field: "maxModelLength", expected: "at least 2", found: "\(cap)")
        }
    }
}
