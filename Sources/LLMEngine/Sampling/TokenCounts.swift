/// The token statistics penalties need, kept incrementally per request: which ids occur
/// in the prompt, and how often each id has been generated. Updating costs O(1) per
/// token; applying penalties costs O(distinct ids), never a rescan of the history.
public struct TokenCounts: Sendable, Equatable {
    /// Distinct token ids of the prompt.
    public private(set) var promptTokenIDs: Set<Int>
    /// How many times each generated token id occurs in the output so far.
    public private(set) var generatedCounts: [Int: Int]
    /// Number of tokens generated so far (with repeats).
    public private(set) var generatedTotal: Int

    /// Starts counting for a request with the given prompt and nothing generated.
    public init<S: Sequence>(prompt: S) where S.Element == Int {
        promptTokenIDs = Set(prompt)
        generatedCounts = [:]
        generatedTotal = 0
    }

    /// An empty record: no prompt, nothing generated.
    public init() { self.init(prompt: []) }

    /// Records one generated token.
    public mutating func appendGenerated(_ tokenID: Int) {
        generatedCounts[tokenID, default: 0] += 1
        generatedTotal += 1
    }

    /// Records several generated tokens, in order.
    public mutating func appendGenerated<S: Sequence>(contentsOf tokenIDs: S) where S.Element == Int {
        for id in tokenIDs { appendGenerated(id) }
    }

    /// How many times `tokenID` has been generated.
    public func generatedCount(of tokenID: Int) -> Int { generatedCounts[tokenID] ?? 0 }

    /// Whether `tokenID` occurs in the prompt or the output (what the repetition penalty
    /// looks at).
    public func hasSeen(_ tokenID: Int) -> Bool {
        promptTokenIDs.contains(tokenID) || generatedCounts[tokenID] != nil
    }
}
