/// The functions transformers' environment offers every template: jinja2's `range`,
/// `namespace`, `dict`, plus transformers' `raise_exception` and `strftime_now`.
enum JinjaGlobals {
    /// jinja2's sandbox refuses ranges longer than this.
    static let maxRange = 100_000

    static func install(in scope: JinjaScope) {
        scope.set("range", .callable(JinjaCallable(name: "range", builtin: range)))
        scope.set("namespace", .callable(JinjaCallable(name: "namespace", builtin: namespace)))
        scope.set("dict", .callable(JinjaCallable(name: "dict", builtin: dict)))
        scope.set(
            "raise_exception",
            .callable(
                JinjaCallable(name: "raise_exception") { (arguments, _) throws(ChatTemplateError) -> JinjaValue in
                    let a = try arguments.bind("raise_exception", ["message"])
                    throw ChatTemplateError(kind: .raised, message: (a[0] ?? .undefinedValue).pythonString)
                }))
        scope.set(
            "strftime_now",
            .callable(
                JinjaCallable(name: "strftime_now") { (arguments, interpreter) throws(ChatTemplateError) -> JinjaValue in
                    let a = try arguments.bind("strftime_now", ["format"])
                    guard case .string(let format)? = a[0] else {
                        throw .type("strftime() argument 1 must be str, not \((a[0] ?? .undefinedValue).pythonTypeName)")
                    }
                    return .string(JinjaStrftime.format(format, interpreter.now))
                }))
    }

    private static func range(_ arguments: JinjaArguments, _: JinjaInterpreter) throws(ChatTemplateError) -> JinjaValue {
        guard arguments.keyword.isEmpty else { throw .type("range() takes no keyword arguments") }
        var bounds: [Int] = []
        for value in arguments.positional {
            guard let i = value.integerValue else {
                throw .type("'\(value.pythonTypeName)' object cannot be interpreted as an integer")
            }
            bounds.append(i)
        }
        let (start, stop, step): (Int, Int, Int)
        switch bounds.count {
        case 1: (start, stop, step) = (0, bounds[0], 1)
        case 2: (start, stop, step) = (bounds[0], bounds[1], 1)
        case 3: (start, stop, step) = (bounds[0], bounds[1], bounds[2])
        default: throw .type("range expected at most 3 arguments, got \(bounds.count)")
        }
        guard step != 0 else { throw .value("range() arg 3 must not be zero") }
        // In Double: the Int difference of far-apart bounds could overflow.
        let span = step > 0 ? Double(stop) - Double(start) : Double(start) - Double(stop)
        let exactCount = span <= 0 ? 0 : (span / abs(Double(step))).rounded(.up)
        guard exactCount <= Double(maxRange) else {
            throw .limit("Range too big. The sandbox blocks ranges larger than MAX_RANGE (\(maxRange)).")
        }
        let count = Int(exactCount)
        guard count <= maxRange else {
            throw .limit("Range too big. The sandbox blocks ranges larger than MAX_RANGE (\(maxRange)).")
        }
        let repr = step == 1 ? "range(\(start), \(stop))" : "range(\(start), \(stop), \(step))"
        return .iterator(
            JinjaIterator(
                (0..<count).map { .int(start + $0 * step) }, type: "range", hasLength: true, isReversible: true,
                repr: repr))
    }

    /// `dict(mapping_or_pairs, **kwargs)` into ordered entries.
    private static func entries(_ arguments: JinjaArguments, _ function: String) throws(ChatTemplateError) -> JinjaObject {
        guard arguments.positional.count <= 1 else {
            throw .type("\(function) expected at most 1 argument, got \(arguments.positional.count)")
        }
        var object = JinjaObject()
        switch arguments.positional.first {
        case nil: break
        case .some(.object(let o)): object = o
        case .some(.namespace(let ns)): object = ns.attributes
        case .some(.array(let pairs)):
            for pair in pairs {
                guard case .array(let kv) = pair, kv.count == 2 else {
                    throw .value("dictionary update sequence element has wrong length")
                }
                guard let key = JinjaKey(kv[0]) else { throw .type("unhashable type: '\(kv[0].pythonTypeName)'") }
                object.set(key, kv[1])
            }
        case .some(let other):
            throw .type("'\(other.pythonTypeName)' object is not iterable")
        }
        for (name, value) in arguments.keyword { object[name] = value }
        return object
    }

    private static func dict(_ arguments: JinjaArguments, _: JinjaInterpreter) throws(ChatTemplateError) -> JinjaValue {
        .object(try entries(arguments, "dict"))
    }

    private static func namespace(_ arguments: JinjaArguments, _: JinjaInterpreter) throws(ChatTemplateError)
        -> JinjaValue
    {
        let attributes = try entries(arguments, "namespace")
        for key in attributes.keys { try checkNamespaceName(key) }
        return .namespace(JinjaNamespace(attributes: attributes))
    }

    /// transformers' namespaces refuse underscore-prefixed attribute names.
    static func checkNamespaceName(_ name: String) throws(ChatTemplateError) {
        guard name.hasPrefix("_") else { return }
        throw .security(
            "Chat templates cannot store underscore-prefixed attributes on a namespace, but got "
                + "\(JinjaValue.string(name).pythonRepr). Please rename the attribute.")
    }
}
