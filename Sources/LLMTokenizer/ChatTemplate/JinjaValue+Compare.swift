/// Python's `==` and ordering of template values.
extension JinjaValue {
    /// Python `==`: numbers compare by value across int, float and bool; lists element by
    /// element; dicts by keys and values whatever their order; `Undefined` equals only
    /// `Undefined`; namespaces and callables only themselves.
    func pythonEquals(_ other: JinjaValue) -> Bool {
        switch (self, other) {
        case (.int(let a), .int(let b)): return a == b
        case (.string(let a), .string(let b)): return a.utf8.elementsEqual(b.utf8)
        case (.none, .none), (.undefined, .undefined): return true
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return false }
            for (x, y) in zip(a, b) where !x.pythonEquals(y) { return false }
            return true
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            for entry in a.entries {
                guard let value = b[entry.key], value.pythonEquals(entry.value) else { return false }
            }
            return true
        case (.namespace(let a), .namespace(let b)): return a === b
        case (.callable(let a), .callable(let b)): return a === b
        case (.iterator(let a), .iterator(let b)): return a === b
        default:
            if let a = numericDouble, let b = other.numericDouble {
                if let x = integerValue, let y = other.integerValue { return x == y }
                return a == b
            }
            return false
        }
    }

    /// Python's `<`, `<=`, `>`, `>=` as a three-way comparison: numbers, strings (by code
    /// point) and lists (element by element) order; anything else is a `TypeError` that
    /// names `op` as Python does.
    func pythonCompare(_ other: JinjaValue, op: String) throws(ChatTemplateError) -> Int {
        switch (self, other) {
        case (.string(let a), .string(let b)):
            // UTF-8 byte order is code point order, which is how Python orders strings.
            if a.utf8.elementsEqual(b.utf8) { return 0 }
            return a.utf8.lexicographicallyPrecedes(b.utf8) ? -1 : 1
        case (.array(let a), .array(let b)):
            for (x, y) in zip(a, b) where !x.pythonEquals(y) {
                return try x.pythonCompare(y, op: op)
            }
            return a.count == b.count ? 0 : (a.count < b.count ? -1 : 1)
        default:
            if let x = integerValue, let y = other.integerValue {
                return x == y ? 0 : (x < y ? -1 : 1)
            }
            if let a = numericDouble, let b = other.numericDouble {
                if a == b { return 0 }
                if a < b { return -1 }
                if a > b { return 1 }
                return 2  // NaN: every ordering is false
            }
            throw .type(
                "'\(op)' not supported between instances of '\(pythonTypeName)' and '\(other.pythonTypeName)'")
        }
    }

    /// Python's `a in b` (membership in a list, key in a dict, substring of a string).
    func pythonContains(_ element: JinjaValue) throws(ChatTemplateError) -> Bool {
        switch self {
        case .string(let s):
            guard case .string(let sub) = element else {
                throw .type("'in <string>' requires string as left operand, not \(element.pythonTypeName)")
            }
            return PythonString.contains(s, sub)
        case .array(let items):
            return items.contains { $0.pythonEquals(element) }
        case .object(let object):
            guard let key = JinjaKey(element) else {
                if case .undefined = element { return false }
                throw .type("unhashable type: '\(element.pythonTypeName)'")
            }
            return object[key] != nil
        case .undefined:
            return false
        case .iterator(let it):
            return it.items.contains { $0.pythonEquals(element) }
        default:
            throw .type("argument of type '\(pythonTypeName)' is not iterable")
        }
    }

    /// Whether lists, dicts and namespaces nest deeper than `limit` under this value,
    /// looking at no more than `budget` containers (most values are small and shallow).
    func nestingExceeds(_ limit: Int, budget: inout Int) -> Bool {
        guard limit >= 0 else { return true }
        let children: [JinjaValue]
        switch self {
        case .array(let items): children = items
        case .object(let object): children = object.entries.map(\.value)
        case .namespace(let namespace): children = namespace.attributes.entries.map(\.value)
        default: return false
        }
        budget -= 1
        guard budget > 0 else { return false }
        for child in children where child.nestingExceeds(limit - 1, budget: &budget) { return true }
        return false
    }
}
