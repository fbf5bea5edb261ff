/// Sizes and limits of an engine instance.
public struct EngineOptions: Sendable, Equatable {
    /// Most tokens in one forward pass; longer prompts are prefilled in chunks.
    public var maxBatchTokens: Int
    /// Tokens per KV cache block.
    public var blockSize: Int
    /// Memory for the KV cache (backends without memory profiling use this budget).
    public var kvCacheBytes: Int
    /// Cap on prompt + generated tokens; nil = the model's own limit.
    public var maxModelLength: Int?
    /// Where tokens are sampled: `nil` lets the backend decide (on the device for GPUs);
    /// `true` uses the backend's `sample` op whenever the request allows, `false` the host.
    public var sampleOnDevice: Bool?
    /// Record decode steps and replay them (CUDA graphs) where the backend can.
    public var recordDecodeSteps: Bool

    public init(maxBatchTokens: Int = 512, blockSize: Int = 16, kvCacheBytes: Int = 512 << 20, maxModelLength: Int? = nil,
                sampleOnDevice: Bool? = nil, recordDecodeSteps: Bool = true) {
        self.recordDecodeSteps = recordDecodeSteps
        self.sampleOnDevice = sampleOnDevice
        self.maxBatchTokens = maxBatchTokens
        self.blockSize = blockSize
        self.kvCacheBytes = kvCacheBytes
        self.maxModelLength = maxModelLength
    }
}
