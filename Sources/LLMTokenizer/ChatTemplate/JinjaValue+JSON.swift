import Foundation

/// Building template values from JSON, so a server can pass OpenAI-style messages, tools
/// and `chat_template_kwargs` straight through.
extension JinjaValue {
    /// Parses JSON text (UTF-8). Object keys keep their order; integers become `.int`,
    /// numbers with a fraction or exponent `.double`, as Python's `json.loads` does.
    public init(json data: Data) throws(ChatTemplateError) {
        self = try JinjaJSONParser.parse([UInt8](data))
    }

    /// Parses JSON text; see `init(json:)`.
    public init(jsonString: String) throws(ChatTemplateError) {
        self = try JinjaJSONParser.parse(Array(jsonString.utf8))
    }

    /// Converts Foundation values (`JSONSerialization` output or plain Swift values):
    /// `NSNull`/`nil` to `None`, numbers, strings, arrays, and dictionaries (whose keys
    /// are sorted, since Swift dictionaries have no order; use `init(json:)` or
    /// `[(String, JinjaValue)]` pairs where order matters). Anything else is an error.
    public init(any value: Any?) throws(ChatTemplateError) {
        guard let value else {
            self = .none
            return
        }
        switch value {
        case let v as JinjaValue: self = v
        case is NSNull: self = .none
        case let s as String: self = .string(s)
        case let n as NSNumber where !(value is Bool) && !(value is Int) && !(value is Double):
            self = Self.fromNumber(n)
        case let b as Bool: self = .bool(b)
        case let i as Int: self = .int(i)
        case let d as Double: self = .double(d)
        case let f as Float: self = .double(Double(f))
        case let i as Int64: self = .int(Int(i))
        case let i as Int32: self = .int(Int(i))
        case let array as [Any?]:
            var items: [JinjaValue] = []
            items.reserveCapacity(array.count)
            for element in array { items.append(try JinjaValue(any: element)) }
            self = .array(items)
        case let dict as [String: Any?]:
            var object = JinjaObject()
            for key in dict.keys.sorted() { object[key] = try JinjaValue(any: dict[key] ?? nil) }
            self = .object(object)
        case let pairs as [(String, Any?)]:
            var object = JinjaObject()
            for (key, element) in pairs { object[key] = try JinjaValue(any: element) }
            self = .object(object)
        default:
            throw .type("cannot convert a value of type \(type(of: value)) to a template value")
        }
    }

    private static func fromNumber(_ n: NSNumber) -> JinjaValue {
        switch String(cString: n.objCType) {
        case "c", "B": return .bool(n.boolValue)
        case "f", "d": return .double(n.doubleValue)
        default: return .int(n.intValue)
        }
    }

    /// The value as compact JSON (Python's `json.dumps(value, separators=(",", ":"))`).
    public func jsonString() throws(ChatTemplateError) -> String {
        try JinjaJSONEncoder(separators: (",", ":")).encode(self)
    }
}
