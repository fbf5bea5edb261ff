import Foundation
import Hummingbird
import SwiftLLM

/// A JSON object from a request, read field by field: each accessor returns nil for a
/// missing field or `null` (OpenAI's "use the default"), the value for the right type,
/// and throws an error naming the field for any other type.
struct RequestFields {
    let object: JinjaObject
    /// Where this object sits in the request (`stream_options.`), prefixed to field names in errors.
    let path: String

    init(object: JinjaObject, path: String = "") {
        self.object = object
        self.path = path
    }

    /// Parses a request body: UTF-8 text holding one JSON object.
    init(body: ByteBuffer) throws(APIError) {
        let bytes = Array(body.readableBytesView)
        guard !bytes.isEmpty else { throw .invalidRequest("The request body is empty; expected a JSON object.") }
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw .invalidRequest("The request body is not valid UTF-8 text.")
        }
        let value: JinjaValue
        do {
            value = try JinjaValue(json: Data(bytes))
        } catch {
            throw .invalidRequest("The request body is not valid JSON: \(error.message)")
        }
        guard case let .object(object) = value else { throw .invalidRequest("The request body must be a JSON object.") }
        self.init(object: object)
    }

    func name(_ key: String) -> String { path + key }

    /// The value of `key`, nil when missing or null.
    func value(_ key: String) -> JinjaValue? {
        switch object[key] {
        case nil, .none?: return nil
        case let value?: return value
        }
    }

    func has(_ key: String) -> Bool { value(key) != nil }

    func wrongType(_ key: String, _ expected: String) -> APIError {
        .invalidRequest("'\(name(key))' must be \(expected), got \(Self.typeName(object[key]))", param: name(key))
    }

    func string(_ key: String) throws(APIError) -> String? {
        guard let value = value(key) else { return nil }
        guard case let .string(text) = value else { throw wrongType(key, "a string") }
        return text
    }

    func bool(_ key: String) throws(APIError) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case let .bool(flag) = value else { throw wrongType(key, "a boolean") }
        return flag
    }

    /// An integer; a float with no fraction (`16.0`) counts, as it does for OpenAI.
    func int(_ key: String) throws(APIError) -> Int? {
        guard let value = value(key) else { return nil }
        switch value {
        case let .int(number): return number
        case let .double(number) where number.rounded() == number:
            guard let exact = Int(exactly: number) else { throw wrongType(key, "an integer within 64 bits") }
            return exact
        default: throw wrongType(key, "an integer")
        }
    }

    func number(_ key: String) throws(APIError) -> Double? {
        guard let value = value(key) else { return nil }
        switch value {
        case let .int(number): return Double(number)
        case let .double(number): return number
        default: throw wrongType(key, "a number")
        }
    }

    func float(_ key: String) throws(APIError) -> Float? {
        try number(key).map(Float.init)
    }

    func array(_ key: String) throws(APIError) -> [JinjaValue]? {
        guard let value = value(key) else { return nil }
        guard case let .array(items) = value else { throw wrongType(key, "an array") }
        return items
    }

    func object(_ key: String) throws(APIError) -> RequestFields? {
        guard let value = value(key) else { return nil }
        guard case let .object(nested) = value else { throw wrongType(key, "an object") }
        return RequestFields(object: nested, path: name(key) + ".")
    }

    /// A string or an array of strings (`stop`).
    func strings(_ key: String) throws(APIError) -> [String]? {
        guard let value = value(key) else { return nil }
        switch value {
        case let .string(text): return [text]
        case let .array(items):
            var texts = [String]()
            for item in items {
                guard case let .string(text) = item else { throw wrongType(key, "a string or an array of strings") }
                texts.append(text)
            }
            return texts
        default: throw wrongType(key, "a string or an array of strings")
        }
    }

    /// An array of integers (`stop_token_ids`, token prompts).
    func integers(_ key: String) throws(APIError) -> [Int]? {
        guard let items = try array(key) else { return nil }
        guard let numbers = Self.integers(items) else { throw wrongType(key, "an array of integers") }
        return numbers
    }

    static func integers(_ items: [JinjaValue]) -> [Int]? {
        var numbers = [Int]()
        numbers.reserveCapacity(items.count)
        for item in items {
            guard case let .int(number) = item else { return nil }
            numbers.append(number)
        }
        return numbers
    }

    /// Refuses keys the endpoint does not know (as OpenAI does) and known parameters this
    /// server does not implement, each named in the error. `null` values pass: they ask for
    /// the default.
    func checkKeys(known: Set<String>, unsupported: Set<String>) throws(APIError) {
        for key in object.keys where !known.contains(key) {
            if value(key) == nil { continue }
            if unsupported.contains(key) { throw .unsupported(name(key)) }
            throw APIError.invalidRequest("Unrecognized request argument supplied: \(name(key))", param: name(key), code: "unrecognized_argument")
        }
    }

    static func typeName(_ value: JinjaValue?) -> String {
        switch value {
        case nil, .none?: return "null"
        case .bool?: return "a boolean"
        case .int?: return "an integer"
        case .double?: return "a number"
        case .string?: return "a string"
        case .array?: return "an array"
        case .object?: return "an object"
        default: return "an unsupported value"
        }
    }
}
