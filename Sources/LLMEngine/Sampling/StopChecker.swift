/// Decides, token by token, when a request stops and which text is final.
///
/// - EOS ids (pass none when `ignoreEOS`) and stop token ids finish with
///   ``FinishReason/stop(_:)``; the stop token's own text is dropped unless
///   `includeStopStringInOutput` (as vLLM v1).
/// - Stop strings are matched on Unicode scalars and may span any number of tokens or
///   start in the middle of a token. The output is cut before the match (or just after it
///   when `includeStopStringInOutput`) and everything later is dropped. Text that could
///   still become the start of a stop string is held back until it can be decided.
/// - Nothing stops a request before it has generated more than `minTokens` tokens (a stop
///   string must end in a later token), matching the sampler's min-tokens masking.
/// - Reaching `maxTokens` finishes with ``FinishReason/length`` and releases held text;
///   a stop on the same token takes priority.
public struct StopChecker: Sendable {
    /// The stop strings (empty strings are ignored).
    public let stopStrings: [String]
    /// Token ids that stop generation.
    public let stopTokenIDs: Set<Int>
    /// End-of-sequence ids that stop generation.
    public let eosTokenIDs: Set<Int>
    /// Most tokens to generate, or `nil` for no limit here (the engine ends at the context
    /// length and calls ``finish(reason:)``).
    public let maxTokens: Int?
    /// Stops are ignored until more than this many tokens have been generated.
    public let minTokens: Int
    /// Keep the matched stop string, or the stop token's text, in the output.
    public let includeStopStringInOutput: Bool
    /// Tokens appended so far.
    public private(set) var generatedCount = 0
    /// Set once the request has finished; later appends emit nothing.
    public private(set) var finishReason: FinishReason?

    private let stopScalars: [[Unicode.Scalar]]
    private var pending: [Unicode.Scalar] = []

    /// Creates a checker from explicit settings.
    public init(
        stopStrings: [String] = [], stopTokenIDs: [Int] = [], eosTokenIDs: [Int] = [],
        maxTokens: Int? = nil, minTokens: Int = 0, includeStopStringInOutput: Bool = false
    ) {
        self.stopStrings = stopStrings.filter { !$0.isEmpty }
        self.stopTokenIDs = Set(stopTokenIDs)
        self.eosTokenIDs = Set(eosTokenIDs)
        self.maxTokens = maxTokens
        self.minTokens = minTokens
        self.includeStopStringInOutput = includeStopStringInOutput
        stopScalars = self.stopStrings.map { Array($0.unicodeScalars) }
    }

    /// Creates a checker for a request; the model's `eosTokenIDs` are dropped when
    /// `params.ignoreEOS`.
    public init(params: SamplingParams, eosTokenIDs: [Int]) {
        self.init(
            stopStrings: params.stop, stopTokenIDs: params.stopTokenIDs,
            eosTokenIDs: params.ignoreEOS ? [] : eosTokenIDs, maxTokens: params.maxTokens,
            minTokens: params.minTokens, includeStopStringInOutput: params.includeStopStringInOutput)
    }

    /// Text received but not yet emitted because it may begin a stop string.
    public var heldBackText: String { Self.string(pending[...]) }

    /// Whether appending `tokenID` next ends the request whatever its text: an EOS or
    /// stop token id once stops are allowed, or the `maxTokens`-th token. A stop string
    /// may end it too, which only ``append(tokenID:textDelta:)`` can tell.
    public func finishes(onToken tokenID: Int) -> Bool {
        let count = generatedCount + 1
        return finishReason != nil || (count > minTokens && tokenStop(tokenID) != nil) || reachesLength(count)
    }

    /// The stop an EOS or stop token id makes (EOS first), whether or not stops are allowed yet.
    private func tokenStop(_ tokenID: Int) -> StopCause? {
        if eosTokenIDs.contains(tokenID) { return .eos(tokenID: tokenID) }
        if stopTokenIDs.contains(tokenID) { return .stopTokenID(tokenID) }
        return nil
    }

    private func reachesLength(_ count: Int) -> Bool {
        maxTokens.map { count >= $0 } ?? false
    }

    /// Feeds one generated token and its detokenized text.
    /// - Returns: the text that is now final, and the finish reason if this token ended
    ///   the request. After a finish, further calls emit nothing and repeat the reason.
    public mutating func append(tokenID: Int, textDelta: String) -> StopDecision {
        if let finishReason { return StopDecision(text: "", finishReason: finishReason) }
        generatedCount += 1
        let canStop = generatedCount > minTokens

        if canStop, let cause = tokenStop(tokenID) {
            return finishOnToken(cause, textDelta: textDelta)
        }

        // Without stop strings nothing is ever held back.
        if stopScalars.isEmpty {
            if reachesLength(generatedCount) {
                finishReason = .length
                return StopDecision(text: textDelta, finishReason: .length)
            }
            return StopDecision(text: textDelta)
        }
        let previousCount = pending.count
        pending.append(contentsOf: textDelta.unicodeScalars)
        if canStop, let match = firstMatch(endingAfter: previousCount) {
            var end = match.start
            if includeStopStringInOutput { end += stopScalars[match.index].count }
            let text = Self.string(pending[..<end])
            pending.removeAll()
            let reason = FinishReason.stop(.stopString(stopStrings[match.index]))
            finishReason = reason
            return StopDecision(text: text, finishReason: reason)
        }
        if reachesLength(generatedCount) {
            return finish(reason: .length)
        }
        let emitCount = pending.count - heldBackLength()
        let text = Self.string(pending[..<emitCount])
        pending.removeFirst(emitCount)
        return StopDecision(text: text)
    }

    /// Ends the request from outside (context length, abort): releases the held-back text
    /// and records `reason`. If already finished, emits nothing and keeps the first reason.
    public mutating func finish(reason: FinishReason = .length) -> StopDecision {
        if let finishReason { return StopDecision(text: "", finishReason: finishReason) }
        let text = Self.string(pending[...])
        pending.removeAll()
        finishReason = reason
        return StopDecision(text: text, finishReason: reason)
    }

    private mutating func finishOnToken(_ cause: StopCause, textDelta: String) -> StopDecision {
        var text = Self.string(pending[...])
        if includeStopStringInOutput { text += textDelta }
        pending.removeAll()
        let reason = FinishReason.stop(cause)
        finishReason = reason
        return StopDecision(text: text, finishReason: reason)
    }

    /// The earliest stop-string occurrence in `pending` that ends past `previousCount`
    /// (older text was already searched); the longer string wins a tie.
    private func firstMatch(endingAfter previousCount: Int) -> (start: Int, index: Int)? {
        var best: (start: Int, index: Int)?
        for (index, stop) in stopScalars.enumerated() where stop.count <= pending.count {
            let firstStart = max(0, previousCount - stop.count + 1)
            let lastStart = pending.count - stop.count
            guard firstStart <= lastStart else { continue }
            for start in firstStart...lastStart {
                if let best, start > best.start { break }
                if matches(stop, at: start) {
                    if best == nil || start < best!.start || stop.count > stopScalars[best!.index].count {
                        best = (start, index)
                    }
                    break
                }
            }
        }
        return best
    }

    private func matches(_ stop: [Unicode.Scalar], at start: Int) -> Bool {
        for offset in 0..<stop.count where pending[start + offset] != stop[offset] { return false }
        return true
    }

    /// Length of the longest suffix of `pending` that is a proper prefix of a stop string.
    private func heldBackLength() -> Int {
        var longest = 0
        for stop in stopScalars {
            var length = min(stop.count - 1, pending.count)
            while length > longest {
                if pending[(pending.count - length)...].elementsEqual(stop[..<length]) {
                    longest = length
                    break
                }
                length -= 1
            }
        }
        return longest
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var result = String()
        result.unicodeScalars.append(contentsOf: scalars)
        return result
    }
}
