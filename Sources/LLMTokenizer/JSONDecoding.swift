import Foundation

/// A coding key made from any string, for decoding JSON objects whose keys depend on a
/// `type` field.
struct JSONKey: CodingKey, ExpressibleByStringLiteral {
    var stringValue: String
    var intValue: Int? { nil }

    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
    init(stringLiteral value: String) { stringValue = value }
}

/// A coding key for a position in a JSON array.
struct JSONIndexKey: CodingKey {
    var intValue: Int?
    var stringValue: String { "\(intValue ?? 0)" }

    init(_ index: Int) { intValue = index }
    init?(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) { nil }
}

extension KeyedDecodingContainer where K == JSONKey {
    /// The value at `key`, or `fallback` when the key is absent or null.
    func value<T: Decodable>(_ key: JSONKey, default fallback: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback
    }
}

/// Decodes a JSON file into `T`, turning decoding failures into `TokenizerError`s that name
/// the file and the field path (`model.merges[12]`).
func decodeJSON<T: Decodable>(_ type: T.Type, from data: Data, file: String) throws(TokenizerError) -> T {
    do {
        return try JSONDecoder().decode(T.self, from: data)
    } catch let error as DecodingError {
        throw tokenizerError(error, file: file)
    } catch {
        throw .invalidJSON(file: file, reason: "\(error)")
    }
}

/// The dotted path of a coding path: `pre_tokenizer.pretokenizers[1].type`.
func fieldPath(_ path: [CodingKey]) -> String {
    var result = ""
    for key in path {
        if let index = key.intValue {
            result += "[\(index)]"
        } else {
            result += result.isEmpty ? key.stringValue : "." + key.stringValue
        }
    }
    return result
}

private func tokenizerError(_ error: DecodingError, file: String) -> TokenizerError {
    switch error {
    case let .keyNotFound(key, context):
        return .missingField(file: file, field: fieldPath(context.codingPath + [key]), expected: "a value")
    case let .typeMismatch(type, context):
        return .invalidField(
            file: file, field: fieldPath(context.codingPath), expected: "\(type)", found: context.debugDescription)
    case let .valueNotFound(type, context):
        return .invalidField(file: file, field: fieldPath(context.codingPath), expected: "\(type)", found: "null")
    case let .dataCorrupted(context):
        if context.codingPath.isEmpty {
            let underlying = context.underlyingError.map { ": \($0)" } ?? ""
            return .invalidJSON(file: file, reason: context.debugDescription + underlying)
        }
        return .invalidField(
            file: file, field: fieldPath(context.codingPath), expected: "a valid value", found: context.debugDescription)
    @unknown default:
        return .invalidJSON(file: file, reason: "\(error)")
    }
}
