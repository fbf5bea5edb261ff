import LLMRuntime

/// Everything one forward step needs, passed explicitly: the flattened new tokens of
/// every scheduled sequence, their attention metadata, and which rows produce logits.
public struct ForwardBatch: Sendable {
    /// i32 `[numTokens]`.
    public var tokenIDs: Tensor
    public var attention: AttentionMetadata
    /// i32 `[numLogitRows]`: indices into the flattened tokens whose logits are needed.
    public var logitRows: Tensor
    public var numLogitRows: Int
    /// Longest context of the step (for dynamic RoPE).
    public var numTokens: Int { attention.numTokens }

    public init(tokenIDs: Tensor, attention: AttentionMetadata, logitRows: Tensor, numLogitRows: Int) {
        self.tokenIDs = tokenIDs
        self.attention = attention
        self.logitRows = logitRows
        self.numLogitRows = numLogitRows
    }
}

/// One sequence's share of a step: its new tokens, where they start, and its blocks.
public struct SequenceChunk: Sendable {
    public var tokens: [Int32]
    /// Position of `tokens[0]` (= tokens already in the cache).
    public var startPosition: Int
    /// Cache blocks of the sequence, covering at least `startPosition + tokens.count` slots.
    public var blockTable: [Int32]
    /// Whether the last new token's logits are needed (false for a non-final prefill chunk).
    public var needsLogits: Bool

    public init(tokens: [Int32], startPosition: Int, blockTable: [Int32], needsLogits: Bool) {
        self.tokens = tokens
        self.startPosition = startPosition
        self.blockTable = blockTable
        self.needsLogits = needsLogits
    }
}
