/// A dict key: Python dicts made by JSON have string keys, dict literals in templates may
/// also use integers (`{0: 0, 512: 128}`). `True`/`False` keys are the integers 1 and 0, as
/// in Python.
enum JinjaKey: Hashable, Sendable {
    case string(String)
    case int(Int)

    /// The key as a template value.
    var value: JinjaValue {
        switch self {
        case .string(let s): return .string(s)
        case .int(let i): return .int(i)
        }
    }

    /// The key as a string (integers in decimal), as JSON writes it.
    var text: String {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        }
    }

    /// The key for a value, or `nil` when Python could not hash it or it is not supported.
    init?(_ value: JinjaValue) {
        switch value {
        case .string(let s): self = .string(s)
        case .int(let i): self = .int(i)
        case .bool(let b): self = .int(b ? 1 : 0)
        case .double(let d):
            guard d.rounded() == d, let i = Int(exactly: d) else { return nil }
            self = .int(i)
        default: return nil
        }
    }
}

/// A Python dict: key/value pairs in insertion order. Setting an existing key replaces its
/// value in place, as Python does.
public struct JinjaObject: Sendable {
    struct Entry: Sendable {
        var key: JinjaKey
        var value: JinjaValue
    }

    /// Lookups scan small dicts (messages have a handful of keys) and hash larger ones.
    private static let indexThreshold = 8

    private(set) var entries: [Entry] = []
    private var index: [JinjaKey: Int] = [:]

    /// An empty dict.
    public init() {}

    /// A dict of `pairs` in order; a repeated key keeps its first position and last value.
    public init(_ pairs: [(String, JinjaValue)]) {
        entries.reserveCapacity(pairs.count)
        for (key, value) in pairs { set(.string(key), value) }
    }

    /// The number of keys.
    public var count: Int { entries.count }

    /// Whether the dict has no keys.
    public var isEmpty: Bool { entries.isEmpty }

    /// The keys in insertion order (integer keys in decimal).
    public var keys: [String] { entries.map { $0.key.text } }

    /// The key/value pairs in insertion order (integer keys in decimal).
    public var pairs: [(key: String, value: JinjaValue)] { entries.map { ($0.key.text, $0.value) } }

    /// The value under a string key; setting `nil` is not supported and is ignored.
    public subscript(key: String) -> JinjaValue? {
        get { self[.string(key)] }
        set {
            if let newValue { set(.string(key), newValue) }
        }
    }

    subscript(key: JinjaKey) -> JinjaValue? {
        guard let position = position(of: key) else { return nil }
        return entries[position].value
    }

    /// The dict without the keys whose value is `None`, as transformers cleans messages.
    func droppingNoneValues() -> JinjaObject {
        var result = JinjaObject()
        for entry in entries {
            if case .none = entry.value { continue }
            result.set(entry.key, entry.value)
        }
        return result
    }

    func position(of key: JinjaKey) -> Int? {
        if entries.count <= Self.indexThreshold {
            return entries.firstIndex { $0.key == key }
        }
        return index[key]
    }

    mutating func set(_ key: JinjaKey, _ value: JinjaValue) {
        if let position = position(of: key) {
            entries[position].value = value
            return
        }
        entries.append(Entry(key: key, value: value))
        if entries.count > Self.indexThreshold {
            if index.isEmpty {
                for (i, entry) in entries.enumerated() { index[entry.key] = i }
            } else {
                index[key] = entries.count - 1
            }
        }
    }
}
