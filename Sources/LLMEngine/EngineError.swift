/// Errors about a request or the engine's configuration.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case invalidOption(field: String, expected: String, found: String)
    case invalidRequest(field: String, reason: String)
    case promptTooLong(tokens: Int, limit: Int)
    case cacheExhausted(neededBlocks: Int, freeBlocks: Int)

    public var description: String {
        switch self {
        case let .invalidOption(field, expected, found): return "engine option \(field): expected \(expected), found \(found)"
        case let .invalidRequest(field, reason): return "request field '\(field)': \(reason)"
        case let .promptTooLong(tokens, limit): return "prompt has \(tokens) tokens but the context holds \(limit) (prompt plus at least one generated token)"
        case let .cacheExhausted(needed, free): return "KV cache exhausted: needs \(needed) blocks, \(free) free"
        }
    }
}
