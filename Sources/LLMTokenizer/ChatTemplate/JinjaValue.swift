/// A value as a chat template sees it: the Python objects that transformers hands to
/// jinja2 (`None`, `bool`, `int`, `float`, `str`, `list`, `dict`) plus jinja2's
/// `Undefined` and the callables and namespaces that exist only while a template renders.
///
/// Objects keep their keys in insertion order, as Python dicts do, so iterating a
/// dict and `tojson` list keys in the order the caller gave them.
public enum JinjaValue: Sendable {
    /// jinja2's `Undefined`: a missing variable, key or attribute. It prints as an empty
    /// string, is falsy and iterates as empty; most other uses raise an error.
    case undefined(JinjaUndefined)
    /// Python's `None`.
    case none
    /// Python's `bool`.
    case bool(Bool)
    /// Python's `int` (limited to 64 bits).
    case int(Int)
    /// Python's `float`.
    case double(Double)
    /// Python's `str`.
    case string(String)
    /// Python's `list` (tuples made by a template are lists too).
    case array([JinjaValue])
    /// Python's `dict`, keys in insertion order.
    case object(JinjaObject)
    /// A macro, a builtin function or a bound method; only templates create these.
    case callable(JinjaCallable)
    /// An object made by `namespace()`, whose attributes a template may assign.
    case namespace(JinjaNamespace)
    /// A lazy Python iterable that is not a list: what `map`, `select` and friends return
    /// (generators), `dict.items()`, `range()`. Templates can loop over it; `tojson`,
    /// `length` and `last` refuse some kinds, as in Python.
    case iterator(JinjaIterator)

    /// Python truthiness: `None`, `False`, `0`, `0.0`, empty strings, lists and dicts and
    /// `Undefined` are false; everything else is true.
    public var isTruthy: Bool {
        switch self {
        case .undefined, .none: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .array(let a): return !a.isEmpty
        case .object(let o): return !o.isEmpty
        case .callable, .namespace: return true
        case .iterator(let it): return !it.hasLength || !it.items.isEmpty
        }
    }

    /// Whether this is `Undefined`.
    public var isUndefined: Bool {
        if case .undefined = self { return true }
        return false
    }

    /// The string, when this is a string.
    public var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    /// The elements, when this is a list.
    public var arrayValue: [JinjaValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// The dict, when this is a dict.
    public var objectValue: JinjaObject? {
        if case .object(let o) = self { return o }
        return nil
    }

    /// The value under `key` when this is a dict, else `nil`.
    public subscript(key: String) -> JinjaValue? {
        objectValue?[key]
    }

    /// Python's name for the value's type, as error messages print it (`str`, `dict`, ...).
    var pythonTypeName: String {
        switch self {
        case .undefined: return "Undefined"
        case .none: return "NoneType"
        case .bool: return "bool"
        case .int: return "int"
        case .double: return "float"
        case .string: return "str"
        case .array: return "list"
        case .object: return "dict"
        case .callable(let c): return c.pythonTypeName
        case .namespace: return "TemplateNamespace"
        case .iterator(let it): return it.pythonTypeName
        }
    }

    /// jinja2's `object_type_repr`: `None`, or `"dict object"`, used in undefined hints.
    var objectTypeRepr: String {
        if case .none = self { return "None" }
        return "\(pythonTypeName) object"
    }

    /// The number as a Double when this is an int, float or bool.
    var numericDouble: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    /// The integer when this is an int or bool (Python treats `True` as 1).
    var integerValue: Int? {
        switch self {
        case .int(let i): return i
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }
}

extension JinjaValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    /// `nil` is Python's `None`.
    public init(nilLiteral: ()) { self = .none }
    /// A `bool`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    /// An `int`.
    public init(integerLiteral value: Int) { self = .int(value) }
    /// A `float`.
    public init(floatLiteral value: Double) { self = .double(value) }
    /// A `str`.
    public init(stringLiteral value: String) { self = .string(value) }
    /// A `list`.
    public init(arrayLiteral elements: JinjaValue...) { self = .array(elements) }
    /// A `dict` whose keys keep the literal's order.
    public init(dictionaryLiteral elements: (String, JinjaValue)...) {
        self = .object(JinjaObject(elements))
    }
}

extension JinjaValue: Equatable {
    /// Python equality (`1 == 1.0 == True`, dicts equal whatever their key order).
    public static func == (lhs: JinjaValue, rhs: JinjaValue) -> Bool {
        lhs.pythonEquals(rhs)
    }
}

extension JinjaValue: CustomStringConvertible {
    /// What `{{ value }}` prints: Python's `str()`.
    public var description: String { pythonString }
}
