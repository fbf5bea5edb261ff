/// jinja2's filters on sequences and mappings: `join`, `first`, `last`, `list`, `items`,
/// `dictsort`, `select`/`reject`, `selectattr`/`rejectattr`, `map`, `unique`, `sort`,
/// `reverse`, `sum`, `min`, `max`, `batch`. Lazy jinja2 generators are lists here.
extension JinjaFilters {
    static func applySequenceFilter(
        _ name: String, to value: JinjaValue, _ arguments: JinjaArguments, _ interpreter: JinjaInterpreter
    ) throws(ChatTemplateError) -> JinjaValue {
        switch name {
        case "list": return .array(try interpreter.iterate(value))
        case "first":
            if case .undefined = value { return .undefinedBecause("No first item, sequence was empty.") }
            return try interpreter.iterate(value).first ?? .undefinedBecause("No first item, sequence was empty.")
        case "last":
            if case .undefined = value { return .undefinedBecause("No last item, sequence was empty.") }
            if case .iterator(let it) = value, !it.isReversible {
                throw .type("'\(it.pythonTypeName)' object is not reversible")
            }
            return try interpreter.iterate(value).last ?? .undefinedBecause("No last item, sequence was empty.")
        case "reverse":
            switch value {
            case .string(let s): return .string(PythonString.string(s.unicodeScalars.reversed()))
            case .array(let items):
                return .iterator(JinjaIterator(items.reversed(), type: "list_reverseiterator"))
            case .object(let o):
                return .iterator(JinjaIterator(o.entries.reversed().map { $0.key.value }, type: "dict_reversekeyiterator"))
            default:
                return .array(try interpreter.iterate(value).reversed())
            }
        case "items":
            switch value {
            case .undefined: return JinjaIterator.generator([])
            case .object(let o): return JinjaIterator.generator(o.entries.map { .array([$0.key.value, $0.value]) })
            default:
                return .iterator(
                    JinjaIterator([], type: "generator", deferredError: .type("Can only get item pairs from a mapping.")))
            }
        case "join":
            let a = try arguments.bind("join", ["d", "attribute"])
            var items = try interpreter.iterate(value)
            if let attribute = a[1], !(attribute == .none) {
                items = try items.map { (item) throws(ChatTemplateError) in try lookup(item, attribute) }
            }
            return .string(items.map(\.pythonString).joined(separator: (a[0] ?? .string("")).pythonString))
        case "dictsort": return try dictsort(value, arguments)
        case "select", "reject", "selectattr", "rejectattr":
            // jinja2 yields nothing for a falsy value (None included) without iterating it.
            guard value.isTruthy else { return JinjaIterator.generator([]) }
            return try select(name, value, arguments, interpreter)
        case "map":
            guard value.isTruthy else { return JinjaIterator.generator([]) }
            return try map(value, arguments, interpreter)
        case "unique":
            let a = try arguments.bind("unique", ["case_sensitive", "attribute"])
            var seen: [JinjaValue] = []
            var result: [JinjaValue] = []
            for item in try interpreter.iterate(value) {
                var key = try a[1].map { (attribute) throws(ChatTemplateError) in try lookup(item, attribute) } ?? item
                if !(a[0]?.isTruthy ?? false) { key = ignoringCase(key) }
                switch key {
                case .array, .object: throw .type("unhashable type: '\(key.pythonTypeName)'")
                default: break
                }
                if !seen.contains(where: { $0.pythonEquals(key) }) {
                    seen.append(key)
                    result.append(item)
                }
            }
            return JinjaIterator.generator(result)
        case "sort":
            let a = try arguments.bind("sort", ["reverse", "case_sensitive", "attribute"])
            let items = try interpreter.iterate(value)
            let keys = try items.map { (item) throws(ChatTemplateError) -> JinjaValue in
                let key = try a[2].map { (attribute) throws(ChatTemplateError) in try lookup(item, attribute) } ?? item
                return (a[1]?.isTruthy ?? false) ? key : ignoringCase(key)
            }
            return .array(try sorted(items, keys: keys, reverse: a[0]?.isTruthy ?? false))
        case "sum":
            let a = try arguments.bind("sum", ["attribute", "start"])
            var total = a[1] ?? .int(0)
            for item in try interpreter.iterate(value) {
                let term = try a[0].map { (attribute) throws(ChatTemplateError) in try lookup(item, attribute) } ?? item
                total = try JinjaArithmetic.apply(.add, total, term)
            }
            return total
        case "min", "max":
            let a = try arguments.bind(name, ["case_sensitive", "attribute"])
            let items = try interpreter.iterate(value)
            guard var best = items.first else { return .undefinedBecause("No aggregated item, sequence was empty.") }
            func key(_ item: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
                let k = try a[1].map { (attribute) throws(ChatTemplateError) in try lookup(item, attribute) } ?? item
                return (a[0]?.isTruthy ?? false) ? k : ignoringCase(k)
            }
            var bestKey = try key(best)
            for item in items.dropFirst() {
                let k = try key(item)
                let order = try k.pythonCompare(bestKey, op: name == "min" ? "<" : ">")
                if name == "min" ? order == -1 : order == 1 {
                    best = item
                    bestKey = k
                }
            }
            return best
        case "batch":
            let a = try arguments.bind("batch", ["linecount", "fill_with"])
            guard let size = a[0]?.integerValue, size > 0 else { throw .value("batch size must be a positive integer") }
            try JinjaArithmetic.checkLength(size)
            var batches: [JinjaValue] = []
            var current: [JinjaValue] = []
            for item in try interpreter.iterate(value) {
                current.append(item)
                if current.count == size {
                    batches.append(.array(current))
                    current = []
                }
            }
            if !current.isEmpty {
                if let fill = a[1], !(fill == .none) {
                    current += Array(repeating: fill, count: size - current.count)
                }
                batches.append(.array(current))
            }
            return JinjaIterator.generator(batches)
        default:
            throw .unsupported("the '\(name)' filter is not supported in chat templates")
        }
    }

    /// jinja2's `ignore_case`: strings compare lower-cased.
    private static func ignoringCase(_ value: JinjaValue) -> JinjaValue {
        if case .string(let s) = value { return .string(s.lowercased()) }
        return value
    }

    /// jinja2's `make_attrgetter`: `attribute` may be a dotted path (`function.name`) whose
    /// numeric parts index lists. Looking into an Undefined is an error.
    static func lookup(_ item: JinjaValue, _ attribute: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        let parts: [JinjaValue]
        if case .string(let path) = attribute {
            parts = path.split(separator: ".", omittingEmptySubsequences: false).map {
                Int($0).map(JinjaValue.int) ?? .string(String($0))
            }
        } else {
            parts = [attribute]
        }
        var current = item
        for part in parts {
            if let error = current.undefinedError { throw error }
            current = JinjaAccess.item(of: current, part)
        }
        return current
    }

    /// A stable sort by precomputed keys, failing as Python does on incomparable keys.
    static func sorted(_ items: [JinjaValue], keys: [JinjaValue], reverse: Bool) throws(ChatTemplateError)
        -> [JinjaValue]
    {
        var failure: ChatTemplateError?
        let order = Array(items.indices).sorted { i, j in
            guard failure == nil else { return false }
            do throws(ChatTemplateError) {
                let c = try keys[reverse ? j : i].pythonCompare(keys[reverse ? i : j], op: "<")
                return c == -1
            } catch {
                failure = error
                return false
            }
        }
        if let failure { throw failure }
        return order.map { items[$0] }
    }

    private static func dictsort(_ value: JinjaValue, _ arguments: JinjaArguments) throws(ChatTemplateError) -> JinjaValue {
        let a = try arguments.bind("dictsort", ["case_sensitive", "by", "reverse"])
        guard case .object(let object) = value else { throw .type("dictsort filter requires a mapping") }
        let by = (a[1] ?? .string("key")).pythonString
        guard by == "key" || by == "value" else { throw .value("You can only sort by either \"key\" or \"value\"") }
        let pairs = object.entries.map { JinjaValue.array([$0.key.value, $0.value]) }
        let keys = object.entries.map { entry in
            let key = by == "key" ? entry.key.value : entry.value
            return (a[0]?.isTruthy ?? false) ? key : ignoringCase(key)
        }
        return .array(try sorted(pairs, keys: keys, reverse: a[2]?.isTruthy ?? false))
    }

    private static func select(
        _ name: String, _ value: JinjaValue, _ arguments: JinjaArguments, _ interpreter: JinjaInterpreter
    ) throws(ChatTemplateError) -> JinjaValue {
        var positional = arguments.positional
        var attribute: JinjaValue?
        if name.hasSuffix("attr") {
            guard !positional.isEmpty else { throw .value("Missing parameter for attribute name") }
            attribute = positional.removeFirst()
        }
        var testName: String?
        if !positional.isEmpty {
            guard case .string(let t) = positional.removeFirst() else { throw .type("test name must be a string") }
            guard JinjaTests.names.contains(t) else { throw .value("No test named '\(t)'.") }
            testName = t
        }
        let keep = name.hasPrefix("select")
        let testArguments = JinjaArguments(positional: positional, keyword: arguments.keyword)
        var result: [JinjaValue] = []
        for item in try interpreter.iterate(value) {
            let subject = try attribute.map { (a) throws(ChatTemplateError) in try lookup(item, a) } ?? item
            let passed =
                try testName.map { (t) throws(ChatTemplateError) in
                    try JinjaTests.apply(t, to: subject, testArguments, interpreter)
                } ?? subject.isTruthy
            if passed == keep { result.append(item) }
        }
        return JinjaIterator.generator(result)
    }

    private static func map(_ value: JinjaValue, _ arguments: JinjaArguments, _ interpreter: JinjaInterpreter)
        throws(ChatTemplateError) -> JinjaValue
    {
        let items = try interpreter.iterate(value)
        if arguments.positional.isEmpty, let attribute = arguments.keywordValue("attribute") {
            let fallback = arguments.keywordValue("default")
            return JinjaIterator.generator(
                try items.map { (item) throws(ChatTemplateError) -> JinjaValue in
                    let found = try lookup(item, attribute)
                    if case .undefined = found, let fallback, !(fallback == .none) { return fallback }
                    return found
                })
        }
        guard case .string(let filter)? = arguments.positional.first else {
            throw .value("map requires a filter argument")
        }
        guard names.contains(filter) else { throw .value("No filter named '\(filter)'.") }
        let rest = JinjaArguments(positional: Array(arguments.positional.dropFirst()), keyword: arguments.keyword)
        return JinjaIterator.generator(
            try items.map { (item) throws(ChatTemplateError) in try apply(filter, to: item, rest, interpreter) })
    }
}
