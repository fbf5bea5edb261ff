/// A rejected ``SamplingParams`` value. Every case names the offending field and says
/// what is allowed, so the message can go straight back to an API client.
public enum SamplingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `field` has `value`, outside `allowed` (for example `"(0, 1]"`).
    case valueOutOfRange(field: String, value: String, allowed: String)
    /// `field` refers to `tokenID`, which is not in `0..<vocabSize`.
    case tokenIDOutOfVocabulary(field: String, tokenID: Int, vocabSize: Int)
    /// `stop[index]` is the empty string.
    case emptyStopString(index: Int)

    /// The name of the rejected ``SamplingParams`` field.
    public var field: String {
        switch self {
        case let .valueOutOfRange(field, _, _): return field
        case let .tokenIDOutOfVocabulary(field, _, _): return field
        case .emptyStopString: return "stop"
        }
    }

    /// A one-line message naming the field and the allowed values.
    public var description: String {
        switch self {
        case let .valueOutOfRange(field, value, allowed):
            return "\(field) must be in \(allowed), got \(value)"
        case let .tokenIDOutOfVocabulary(field, tokenID, vocabSize):
            return "\(field) contains token id \(tokenID), which is outside the vocabulary [0, \(vocabSize))"
        case let .emptyStopString(index):
            return "stop[\(index)] must be a non-empty string"
        }
    }
}
