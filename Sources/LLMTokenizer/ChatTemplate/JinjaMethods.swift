/// The Python methods templates call on strings, lists and dicts (`content.strip()`,
/// `message.get('tool_calls')`, `params.items()`, ...). Methods that would change a list
/// or dict are refused, as in transformers' immutable sandbox.
enum JinjaMethods {
    static let stringMethods: Set<String> = [
        "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith", "upper", "lower",
        "title", "capitalize", "swapcase", "casefold", "replace", "find", "rfind", "index", "rindex", "count",
        "join", "format", "isdigit", "isdecimal", "isnumeric", "isalpha", "isalnum", "isspace", "isupper",
        "islower", "istitle", "zfill", "center", "ljust", "rjust", "partition", "rpartition", "removeprefix",
        "removesuffix",
    ]
    static let listMethods: Set<String> = ["index", "count", "copy"]
    static let unsafeListMethods: Set<String> = ["append", "extend", "insert", "pop", "remove", "sort", "reverse", "clear"]
    /// Dict methods are matched by a `switch` in `has`: `items keys values get copy fromkeys`
    /// are safe, these are not.
    static let unsafeDictMethods: Set<String> = ["pop", "popitem", "setdefault", "update", "clear"]

    /// Whether Python's `getattr(value, name)` finds a method (safe or not).
    static func has(_ value: JinjaValue, _ name: String) -> Bool {
        switch value {
        case .string: return stringMethods.contains(name)
        case .array: return listMethods.contains(name) || unsafeListMethods.contains(name)
        case .object:
            // The hot path (`message.role`): a switch on short strings beats hashing.
            switch name {
            case "items", "keys", "values", "get", "copy", "fromkeys", "pop", "popitem", "setdefault", "update",
                "clear":
                return true
            default:
                return false
            }
        default: return false
        }
    }

    /// Refuses methods that mutate, with jinja2's sandbox message.
    static func checkSafe(_ value: JinjaValue, _ name: String) throws(ChatTemplateError) {
        let unsafe: Bool
        switch value {
        case .array: unsafe = unsafeListMethods.contains(name)
        case .object: unsafe = unsafeDictMethods.contains(name)
        default: unsafe = false
        }
        if unsafe { throw .security("access to attribute '\(name)' of '\(value.pythonTypeName)' object is unsafe.") }
    }

    /// The method as a value (`d.items` without a call); unsafe methods are Undefined.
    static func bound(_ value: JinjaValue, _ name: String) -> JinjaValue {
        if (try? checkSafe(value, name)) == nil {
            return .undefinedBecause("access to attribute '\(name)' of '\(value.pythonTypeName)' object is unsafe.")
        }
        return .callable(
            JinjaCallable(name: name) { (arguments, _) throws(ChatTemplateError) -> JinjaValue in
                try call(value, name, arguments)
            })
    }

    static func call(_ value: JinjaValue, _ name: String, _ arguments: JinjaArguments) throws(ChatTemplateError)
        -> JinjaValue
    {
        switch value {
        case .string(let s): return try JinjaStringMethods.call(s, name, arguments)
        case .array(let items): return try callList(items, name, arguments)
        case .object(let object): return try callDict(object, name, arguments)
        default: throw .type("'\(value.pythonTypeName)' object has no attribute '\(name)'")
        }
    }

    private static func callList(_ items: [JinjaValue], _ name: String, _ arguments: JinjaArguments)
        throws(ChatTemplateError) -> JinjaValue
    {
        switch name {
        case "index":
            let a = try arguments.bind("index", ["value"])
            guard let needle = a[0] else { throw .type("index expected at least 1 argument, got 0") }
            guard let i = items.firstIndex(where: { $0.pythonEquals(needle) }) else {
                throw .value("\(needle.pythonRepr) is not in list")
            }
            return .int(i)
        case "count":
            let a = try arguments.bind("count", ["value"])
            guard let needle = a[0] else { throw .type("count() takes exactly one argument (0 given)") }
            return .int(items.filter { $0.pythonEquals(needle) }.count)
        default:
            _ = try arguments.bind(name, [])
            return .array(items)
        }
    }

    private static func callDict(_ object: JinjaObject, _ name: String, _ arguments: JinjaArguments)
        throws(ChatTemplateError) -> JinjaValue
    {
        switch name {
        case "items":
            _ = try arguments.bind("items", [])
            return JinjaIterator.dictView(object.entries.map { .array([$0.key.value, $0.value]) }, type: "dict_items")
        case "keys":
            _ = try arguments.bind("keys", [])
            return JinjaIterator.dictView(object.entries.map { $0.key.value }, type: "dict_keys")
        case "values":
            _ = try arguments.bind("values", [])
            return JinjaIterator.dictView(object.entries.map(\.value), type: "dict_values")
        case "get":
            let a = try arguments.bind("get", ["key", "default"])
            guard let key = a[0] else { throw .type("get expected at least 1 argument, got 0") }
            guard let k = JinjaKey(key) else {
                if case .undefined = key { return a[1] ?? .none }
                throw .type("unhashable type: '\(key.pythonTypeName)'")
            }
            return object[k] ?? a[1] ?? .none
        case "fromkeys":
            let a = try arguments.bind("fromkeys", ["iterable", "value"])
            var result = JinjaObject()
            let keys: [JinjaValue]
            switch a[0] ?? .undefinedValue {
            case .array(let items): keys = items
            case .object(let o): keys = o.entries.map { $0.key.value }
            case .string(let s): keys = s.unicodeScalars.map { .string(String($0)) }
            default: throw .type("fromkeys expected an iterable")
            }
            for key in keys {
                guard let k = JinjaKey(key) else { throw .type("unhashable type: '\(key.pythonTypeName)'") }
                result.set(k, a[1] ?? .none)
            }
            return .object(result)
        default:
            _ = try arguments.bind(name, [])
            return .object(object)
        }
    }
}
