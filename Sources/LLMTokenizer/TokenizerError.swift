/// Errors raised while loading a tokenizer. Every case names the file (a `tokenizer.json`,
/// a `tokenizer_config.json` or a GGUF file) and the JSON field or GGUF key that was wrong,
/// so the message alone tells a user what to fix.
public enum TokenizerError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be read.
    case unreadableFile(file: String, reason: String)
    /// The file is not valid JSON.
    case invalidJSON(file: String, reason: String)
    /// A required field (JSON path such as `model.vocab`) or GGUF key is absent.
    case missingField(file: String, field: String, expected: String)
    /// A field holds a value of the wrong type or an impossible value.
    case invalidField(file: String, field: String, expected: String, found: String)
    /// A valid component that SwiftLLM does not implement (yet): a pre-tokenizer type, a
    /// split regex, a tokenizer model (`tokenizer.ggml.model`), a decoder, ...
    case unsupportedComponent(file: String, field: String, component: String, reason: String)
    /// A merge, added token or special token names a token that is not in the vocabulary.
    case unknownToken(file: String, field: String, token: String)

    /// A one-line message naming the file, the field and what was expected.
    public var description: String {
        switch self {
        case let .unreadableFile(file, reason):
            return "\(file): cannot read tokenizer file: \(reason)"
        case let .invalidJSON(file, reason):
            return "\(file): not valid JSON: \(reason)"
        case let .missingField(file, field, expected):
            return "\(file): missing '\(field)' (expected \(expected))"
        case let .invalidField(file, field, expected, found):
            return "\(file): invalid '\(field)': expected \(expected), found \(found)"
        case let .unsupportedComponent(file, field, component, reason):
            return "\(file): unsupported \(component) at '\(field)': \(reason)"
        case let .unknownToken(file, field, token):
            return "\(file): '\(field)' refers to token \(token.debugDescription), which is not in the vocabulary"
        }
    }

    /// The file the error is about.
    public var file: String {
        switch self {
        case let .unreadableFile(file, _), let .invalidJSON(file, _), let .missingField(file, _, _),
            let .invalidField(file, _, _, _), let .unsupportedComponent(file, _, _, _),
            let .unknownToken(file, _, _):
            return file
        }
    }

    /// The JSON field path or GGUF key the error is about (empty for whole-file errors).
    public var field: String {
        switch self {
        case .unreadableFile, .invalidJSON: return ""
        case let .missingField(_, field, _), let .invalidField(_, field, _, _),
            let .unsupportedComponent(_, field, _, _), let .unknownToken(_, field, _):
            return field
        }
    }
}
