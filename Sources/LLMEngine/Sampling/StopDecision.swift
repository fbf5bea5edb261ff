/// The outcome of feeding one token to a ``StopChecker``.
public struct StopDecision: Sendable, Equatable {
    /// Text that is final and may be sent to the client now (possibly empty).
    public var text: String
    /// Set when this token finished the request.
    public var finishReason: FinishReason?

    /// Bundles emitted text and an optional finish reason.
    public init(text: String, finishReason: FinishReason? = nil) {
        self.text = text
        self.finishReason = finishReason
    }

    /// Whether the request is finished.
    public var isFinished: Bool { finishReason != nil }
}
