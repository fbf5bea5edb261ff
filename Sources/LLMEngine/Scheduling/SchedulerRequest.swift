/// A request as the scheduler sees it: token ids, how many of them are in the KV cache,
/// and its place in line. The engine appends each sampled token through the scheduler.
public struct SchedulerRequest: Sendable, Equatable {
    public let id: Int
    /// Prompt followed by the tokens generated so far.
    public internal(set) var tokens: [Int32]
    public let promptCount: Int
    /// Lower values are scheduled first and preempted last (as vLLM's `priority`).
    public let priority: Int
    /// Submission order, assigned by the scheduler: ties in priority go first come,
    /// first served.
    public internal(set) var arrival = 0
    /// Extra content key of the request's cache blocks (an adapter id, for one).
    public let extraKey: Int?
    /// Another request whose prompt this one shares (`n > 1`): it waits until that one
    /// has computed its prompt, then finds the prompt's blocks in the prefix cache.
    public let waitsFor: Int?
    /// Leading tokens whose keys and values are in the cache.
    public internal(set) var computed = 0
    public internal(set) var isRunning = false
    /// Prompt tokens found in the prefix cache at the request's first admission.
    public internal(set) var cachedPromptTokens = 0
    public internal(set) var preemptions = 0

    public init(id: Int, prompt: [Int32], priority: Int = 0, extraKey: Int? = nil, waitsFor: Int? = nil) {
        self.id = id
        tokens = prompt
        promptCount = prompt.count
        self.priority = priority
        self.extraKey = extraKey
        self.waitsFor = waitsFor
    }

    /// Tokens still to compute before the next token can be sampled.
    public var uncomputed: Int { tokens.count - computed }

    /// Scheduling order: priority, then arrival.
    func precedes(_ other: SchedulerRequest) -> Bool {
        (priority, arrival) < (other.priority, other.arrival)
    }
}

/// One request's share of a step: `count` tokens from `start` (`start` = tokens already
/// computed); the last one's logits are needed when the chunk reaches the end of the
/// request's known tokens.
public struct ScheduledChunk: Sendable, Equatable {
    public var requestID: Int
    public var start: Int
    public var count: Int
    public var needsLogits: Bool

    public init(requestID: Int, start: Int, count: Int, needsLogits: Bool) {
        self.requestID = requestID
        self.start = start
        self.count = count
        self.needsLogits = needsLogits
    }
}

/// What one step runs: every chunk (running requests first, in scheduling order), and
/// the requests preempted to make room (their blocks freed; they recompute later).
public struct SchedulerStep: Sendable, Equatable {
    public var chunks: [ScheduledChunk] = []
    public var preempted: [Int] = []

    public var tokenCount: Int { chunks.reduce(0) { $0 + $1.count } }
    public var isEmpty: Bool { chunks.isEmpty }
}

/// The scheduler's two budgets and the context limit.
public struct SchedulerLimits: Sendable, Equatable {
    /// Most tokens in one step (`maxNumTokens`): prefill is chunked to fit.
    public var maxTokens: Int
    /// Most requests running at once (`maxNumSeqs`).
    public var maxSequences: Int
    /// Most tokens (prompt plus generated) one request may reach.
    public var maxModelLength: Int

    public init(maxTokens: Int, maxSequences: Int, maxModelLength: Int) {
        self.maxTokens = maxTokens
        self.maxSequences = maxSequences
        self.maxModelLength = maxModelLength
    }
}
