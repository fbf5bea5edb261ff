/// What ended a request with ``FinishReason/stop(_:)``.
public enum StopCause: Sendable, Equatable, Hashable, Codable {
    /// The model's end-of-sequence token.
    case eos(tokenID: Int)
    /// One of the request's `stopTokenIDs`.
    case stopTokenID(Int)
    /// One of the request's `stop` strings (the one that matched).
    case stopString(String)
}

/// Why generation of a request finished.
public enum FinishReason: Sendable, Equatable, Hashable, Codable {
    /// An EOS token, a stop token id or a stop string ended it.
    case stop(StopCause)
    /// `maxTokens` (or the end of the context) was reached.
    case length

    /// The OpenAI `finish_reason` string: `"stop"` or `"length"`.
    public var openAIName: String {
        switch self {
        case .stop: return "stop"
        case .length: return "length"
        }
    }
}
