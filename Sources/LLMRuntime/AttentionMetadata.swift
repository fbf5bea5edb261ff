/// Per-step description of where every scheduled token sits, passed explicitly to the
/// attention and cache-write ops. Tokens of all sequences are flattened into one
/// `[numTokens]` vector; sequence `s` owns tokens `queryStart[s] ..< queryStart[s+1]`.
public struct AttentionMetadata: Sendable {
    /// i32 `[numTokens]`: absolute position of each token in its sequence.
    public var positions: Tensor
    /// i32 `[numTokens]`: KV cache slot (block * blockSize + offset) each token writes.
    public var slotMapping: Tensor
    /// i32 `[numSequences + 1]`: prefix sums of the tokens each sequence contributes.
    public var queryStart: Tensor
    /// i32 `[numSequences, maxBlocksPerSequence]`: cache blocks of each sequence.
    public var blockTable: Tensor
    public var numTokens: Int
    public var numSequences: Int
    /// Longest context (cached + new tokens) of any sequence in this step.
    public var maxContextLength: Int
    /// How many sequences at the front of the batch bring exactly one token each (their
    /// tokens are the first ones): a backend may run them through its decode path and
    /// only the rest through prefill. Zero claims nothing.
    public var leadingDecodeSequences: Int

    /// Granularity of launch shapes: backends may size a step's grids by
    /// `maxContextLength` rounded up to a multiple of this, never by its exact value, so
    /// a recorded step (CUDA graph) replays correctly for every context in its bucket.
    public static let contextBucketTokens = 256

    /// `maxContextLength` rounded up to whole buckets (at least one).
    public var contextBucketLimit: Int {
        max(1, (maxContextLength + Self.contextBucketTokens - 1) / Self.contextBucketTokens) * Self.contextBucketTokens
    }

    public init(positions: Tensor, slotMapping: Tensor, queryStart: Tensor, blockTable: Tensor,
                numTokens: Int, numSequences: Int, maxContextLength: Int, leadingDecodeSequences: Int = 0) {
        self.positions = positions
        self.slotMapping = slotMapping
        self.queryStart = queryStart
        self.blockTable = blockTable
        self.numTokens = numTokens
        self.numSequences = numSequences
        self.maxContextLength = maxContextLength
        self.leadingDecodeSequences = leadingDecodeSequences
    }
}

/// Static attention settings of one layer.
public struct AttentionParams: Sendable, Equatable {
    public var queryHeads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var scale: Float
    /// Keys further back than this many positions are masked; nil for full attention.
    public var slidingWindow: Int?
    /// tanh soft-capping of attention logits (Gemma 2); nil for none.
    public var logitSoftcap: Float?

    public init(queryHeads: Int, kvHeads: Int, headDim: Int, scale: Float,
                slidingWindow: Int? = nil, logitSoftcap: Float? = nil) {
        self.queryHeads = queryHeads
        self.kvHeads = kvHeads
        self.headDim = headDim
        self.scale = scale
        self.slidingWindow = slidingWindow
        self.logitSoftcap = logitSoftcap
    }
}
