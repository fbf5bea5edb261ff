/// Errors raised while building or running a model.
public enum ModelError: Error, CustomStringConvertible, Equatable {
    case invalidConfig(field: String, expected: String, found: String)
    case unsupportedArchitecture(String, supported: [String])
    case missingWeight(name: String, source: String)
    case weightShape(name: String, expected: [Int], found: [Int])
    case batchTooLarge(field: String, limit: Int, requested: Int)

    public var description: String {
        switch self {
        case let .invalidConfig(field, expected, found):
            return "config field '\(field)': expected \(expected), found \(found)"
        case let .unsupportedArchitecture(name, supported):
            return "architecture '\(name)' is not supported (supported: \(supported.joined(separator: ", ")))"
        case let .missingWeight(name, source):
            return "weight '\(name)' not found in \(source)"
        case let .weightShape(name, expected, found):
            return "weight '\(name)': expected shape \(expected), found \(found)"
        case let .batchTooLarge(field, limit, requested):
            return "batch \(field) \(requested) exceeds the limit \(limit) the model was built for"
        }
    }
}
