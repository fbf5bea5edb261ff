import LLMRuntime

/// Shape facts the engine needs about a model: how big its cache entries are and how
/// far it can see.
public struct ModelSpec: Sendable, Equatable {
    public var architecture: String
    public var layers: Int
    public var hiddenSize: Int
    public var queryHeads: Int
    public var kvHeads: Int
    public var headDim: Int
    public var vocabSize: Int
    public var maxPositions: Int
    public var parameterCount: Int
    /// The attention window when every layer has one (Mistral, Phi-3 with
    /// `sliding_window`), else nil: the KV manager then gives back blocks that leave it.
    public var slidingWindow: Int? = nil
    /// Parameters of the experts a token's router does not pick (0 for dense models): a
    /// token's forward reads `activeParameterCount` of the weights.
    public var inactiveExpertParameters = 0

    public var activeParameterCount: Int { parameterCount - inactiveExpertParameters }
}

/// A decoder-only language model: one forward over a flattened batch writes the new
/// tokens' keys and values into the paged cache and returns logits for the rows the
/// batch asks for, `[numLogitRows, vocab]` (a view into the model's workspace, valid
/// until the next forward).
public protocol CausalLM: AnyObject {
    var spec: ModelSpec { get }
    var backend: any Backend { get }
    func forward(_ batch: ForwardBatch, cache: PagedKVCache) throws -> Tensor
    /// Whether a forward's device work may be recorded and replayed (CUDA graphs): only
    /// when it enqueues the same work for every step of one shape, with no host uploads.
    var supportsRecording: Bool { get }
}

extension CausalLM {
    public var supportsRecording: Bool { true }
}

/// Sizes of the workspaces a model preallocates: the most tokens and logit rows one
/// forward may carry.
public struct ForwardLimits: Sendable, Equatable {
    public var maxTokens: Int
    public var maxLogitRows: Int

    public init(maxTokens: Int, maxLogitRows: Int) {
        self.maxTokens = maxTokens
        self.maxLogitRows = maxLogitRows
    }
}
