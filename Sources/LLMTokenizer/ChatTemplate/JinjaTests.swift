/// jinja2's builtin tests (`x is defined`, `x is string`, `n is divisibleby 3`, ...).
enum JinjaTests {
    static let names: Set<String> = [
        "defined", "undefined", "none", "boolean", "false", "true", "integer", "float", "number", "string",
        "mapping", "iterable", "sequence", "callable", "sameas", "escaped", "odd", "even", "divisibleby", "lower",
        "upper", "in", "filter", "test", "eq", "equalto", "==", "ne", "!=", "lt", "lessthan", "<", "le", "<=", "gt",
        "greaterthan", ">", "ge", ">=",
    ]

    static func apply(_ name: String, to value: JinjaValue, _ arguments: JinjaArguments, _ interpreter: JinjaInterpreter)
        throws(ChatTemplateError) -> Bool
    {
        func argument() throws(ChatTemplateError) -> JinjaValue {
            guard let first = arguments.positional.first ?? arguments.keyword.first?.value else {
                throw .type("test '\(name)' needs an argument")
            }
            return first
        }
        switch name {
        case "defined": return !value.isUndefined
        case "undefined": return value.isUndefined
        case "none": if case .none = value { return true } else { return false }
        case "boolean": if case .bool = value { return true } else { return false }
        case "true": if case .bool(true) = value { return true } else { return false }
        case "false": if case .bool(false) = value { return true } else { return false }
        case "integer": if case .int = value { return true } else { return false }
        case "float": if case .double = value { return true } else { return false }
        case "number":
            switch value {
            case .int, .double, .bool: return true
            default: return false
            }
        case "string": if case .string = value { return true } else { return false }
        case "mapping": if case .object = value { return true } else { return false }
        case "iterable":
            switch value {
            case .string, .array, .object, .undefined, .iterator: return true
            default: return false
            }
        case "sequence":
            switch value {
            case .string, .array, .object, .undefined: return true
            case .iterator(let it): return it.pythonTypeName == "range"
            default: return false
            }
        case "callable": if case .callable = value { return true } else { return false }
        case "escaped": return false
        case "sameas": return try sameAs(value, argument())
        case "odd", "even":
            guard let i = value.integerValue else { throw .type("not all arguments converted during string formatting") }
            return (i & 1 == 1) == (name == "odd")
        case "divisibleby":
            guard let divisor = try argument().integerValue, let i = value.integerValue else {
                throw .type("divisibleby needs integers")
            }
            guard divisor != 0 else { throw .value("integer division or modulo by zero") }
            return i % divisor == 0
        case "lower":
            let s = value.pythonString
            return s == s.lowercased() && s != s.uppercased()
        case "upper":
            let s = value.pythonString
            return s == s.uppercased() && s != s.lowercased()
        case "in": return try argument().pythonContains(value)
        case "filter":
            guard case .string(let n) = value else { return false }
            return JinjaFilters.names.contains(n)
        case "test":
            guard case .string(let n) = value else { return false }
            return names.contains(n)
        case "eq", "equalto", "==": return value.pythonEquals(try argument())
        case "ne", "!=": return !value.pythonEquals(try argument())
        default:
            let other = try argument()
            let op = ["lt": "<", "lessthan": "<", "le": "<=", "gt": ">", "greaterthan": ">", "ge": ">="][name] ?? name
            let order = try value.pythonCompare(other, op: op)
            if order == 2 { return false }
            switch op {
            case "<": return order < 0
            case "<=": return order <= 0
            case ">": return order > 0
            default: return order >= 0
            }
        }
    }

    /// Python's `is`: the same singleton (`None`, `True`, `False`), the same small int or
    /// the same object.
    private static func sameAs(_ a: JinjaValue, _ b: JinjaValue) -> Bool {
        switch (a, b) {
        case (.none, .none), (.undefined, .undefined): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y && x >= -5 && x <= 256
        case (.namespace(let x), .namespace(let y)): return x === y
        case (.callable(let x), .callable(let y)): return x === y
        default: return false
        }
    }
}
