/// Errors raised by the runtime layer and its backends.
public enum RuntimeError: Error, CustomStringConvertible, Equatable {
    case shapeMismatch(op: String, expected: String, got: String)
    case unsupportedDType(op: String, dtype: DType)
    case outOfMemory(requestedBytes: Int)
    case invalidArgument(op: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, expected, got): return "\(op): expected shape \(expected), got \(got)"
        case let .unsupportedDType(op, dtype): return "\(op): element type \(dtype.rawValue) is not supported"
        case let .outOfMemory(bytes): return "out of memory allocating \(bytes) bytes"
        case let .invalidArgument(op, reason): return "\(op): \(reason)"
        }
    }
}
