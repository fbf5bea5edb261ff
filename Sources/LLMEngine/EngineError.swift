/// Errors about a request or the engine's configuration.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case invalidOption(field: String, expected: String, found: String)
    case invalidRequest(field: String, reason: String)
    case promptTooLong(tokens: Int, limit: Int)
    case promptExceedsCache(tokens: Int, capacity: Int)
    /// The engine was shut down before the request finished.
    case stopped

    public var description: String {
        switch self {
        case let .invalidOption(field, expected, found): return "engine option \(field): expected \(expected), found \(found)"
        case let .invalidRequest(field, reason): return "request field '\(field)': \(reason)"
        case let .promptTooLong(tokens, limit): return "prompt has \(tokens) tokens but the context holds \(limit) (prompt plus at least one generated token)"
        case let .promptExceedsCache(tokens, capacity): return "prompt has \(tokens) tokens but the whole KV cache holds \(capacity) (prompt plus at least one generated token)"
        case .stopped: return "the engine was shut down before the request finished"
        }
    }
}
