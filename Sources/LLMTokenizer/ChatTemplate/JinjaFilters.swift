import Foundation

/// jinja2's builtin filters as transformers' environment has them (its own `tojson`).
/// This file holds the dispatch and the filters on single values; sequence filters are in
/// `JinjaFilters+Sequences.swift`.
enum JinjaFilters {
    /// Every filter name a template may use.
    static let names: Set<String> = [
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort", "e", "escape",
        "first", "float", "format", "indent", "int", "items", "join", "last", "length", "list", "lower", "map",
        "max", "min", "reject", "rejectattr", "replace", "reverse", "round", "safe", "select", "selectattr",
        "sort", "string", "sum", "title", "tojson", "trim", "unique", "upper", "wordcount",
    ]

    /// jinja2 filters this interpreter does not implement (no real chat template uses them).
    static let unsupportedJinjaFilters: Set<String> = [
        "filesizeformat", "forceescape", "groupby", "pprint", "random", "slice", "striptags", "truncate",
        "urlencode", "urlize", "wordwrap", "xmlattr",
    ]

    static func apply(_ name: String, to value: JinjaValue, _ arguments: JinjaArguments, _ interpreter: JinjaInterpreter)
        throws(ChatTemplateError) -> JinjaValue
    {
        switch name {
        case "upper": return .string(value.pythonString.uppercased())
        case "lower": return .string(value.pythonString.lowercased())
        case "capitalize": return .string(PythonString.capitalize(value.pythonString))
        case "title": return .string(title(value.pythonString))
        case "trim":
            let a = try arguments.bind("trim", ["chars"])
            let chars: String? = if case .string(let c)? = a[0] { c } else { nil }
            return .string(PythonString.strip(value.pythonString, chars: chars))
        case "replace":
            let a = try arguments.bind("replace", ["old", "new", "count"])
            let count = a[2].flatMap { $0.integerValue } ?? -1
            return .string(
                try PythonString.replace(
                    value.pythonString, (a[0] ?? .undefinedValue).pythonString, (a[1] ?? .undefinedValue).pythonString,
                    count: count))
        case "string": return .string(value.pythonString)
        case "safe": return value
        case "e", "escape": return .string(escape(value.pythonString))
        case "indent": return .string(try indent(value, arguments))
        case "center":
            let a = try arguments.bind("center", ["width"])
            let padded = try JinjaStringMethods.call(
                value.pythonString, "center", JinjaArguments(positional: [a[0] ?? .int(80)]))
            return padded
        case "wordcount":
            return .int(value.pythonString.unicodeScalars.split { !isWordCharacter($0) }.count)
        case "format":
            guard arguments.positional.isEmpty || arguments.keyword.isEmpty else {
                throw .value("can't handle positional and keyword arguments at the same time")
            }
            let args: JinjaValue =
                arguments.keyword.isEmpty
                ? .array(arguments.positional) : .object(JinjaObject(arguments.keyword.map { ($0.name, $0.value) }))
            return .string(try JinjaPercentFormat.format(value.pythonString, args))
        case "default", "d":
            let a = try arguments.bind(name, ["default_value", "boolean"])
            if value.isUndefined || ((a[1]?.isTruthy ?? false) && !value.isTruthy) { return a[0] ?? .string("") }
            return value
        case "length", "count": return .int(try length(value))
        case "int": return try toInt(value, arguments)
        case "float":
            let a = try arguments.bind("float", ["default"])
            return toFloat(value).map(JinjaValue.double) ?? a[0] ?? .double(0)
        case "abs":
            switch value {
            case .int(let i) where i != .min: return .int(abs(i))
            case .bool(let b): return .int(b ? 1 : 0)
            case .double(let d): return .double(abs(d))
            default: throw .type("bad operand type for abs(): '\(value.pythonTypeName)'")
            }
        case "round": return try round(value, arguments)
        case "tojson": return .string(try toJSON(value, arguments))
        case "attr":
            let a = try arguments.bind("attr", ["name"])
            guard case .string(let attribute)? = a[0] else { throw .type("attribute name must be string") }
            if case .object = value, !JinjaMethods.has(value, attribute) { return .missingAttribute(value, attribute) }
            if let error = value.undefinedError { throw error }
            return JinjaAccess.attribute(of: value, attribute)
        default:
            return try applySequenceFilter(name, to: value, arguments, interpreter)
        }
    }

    /// jinja2's `title`: each word (split on whitespace, `-`, `(`, `{`, `[`, `<`) with its
    /// first character upper case and the rest lower case.
    private static func title(_ s: String) -> String {
        var out = ""
        var atWordStart = true
        for c in s.unicodeScalars {
            let isDelimiter = PythonString.isWhitespace(c) || "-({[<".unicodeScalars.contains(c)
            if isDelimiter {
                out.unicodeScalars.append(c)
                atWordStart = true
            } else {
                out += atWordStart ? String(c).uppercased() : String(c).lowercased()
                atWordStart = false
            }
        }
        return out
    }

    static func isWordCharacter(_ c: Unicode.Scalar) -> Bool {
        c == "_" || c.properties.isAlphabetic || c.properties.numericType != nil
    }

    /// `markupsafe.escape`.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&#34;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    /// `len(value)`; Undefined has length 0.
    static func length(_ value: JinjaValue) throws(ChatTemplateError) -> Int {
        switch value {
        case .string(let s): return s.unicodeScalars.count
        case .array(let a): return a.count
        case .object(let o): return o.count
        case .undefined: return 0
        case .iterator(let it) where it.hasLength: return it.items.count
        default: throw .type("object of type '\(value.pythonTypeName)' has no len()")
        }
    }

    private static func indent(_ value: JinjaValue, _ arguments: JinjaArguments) throws(ChatTemplateError) -> String {
        let a = try arguments.bind("indent", ["width", "first", "blank"])
        let indention: String
        switch a[0] {
        case .some(.string(let s)): indention = s
        case .some(let w):
            guard let n = w.integerValue else { throw .type("can't multiply sequence by non-int") }
            try JinjaArithmetic.checkLength(n)
            indention = String(repeating: " ", count: max(0, n))
        case nil: indention = "    "
        }
        guard case .string(let text) = value else {
            throw .type("unsupported operand type(s) for +=: '\(value.pythonTypeName)' and 'str'")
        }
        var lines = PythonString.splitLines(text + "\n")
        var result: String
        if a[2]?.isTruthy ?? false {
            result = lines.joined(separator: "\n" + indention)
        } else {
            result = lines.isEmpty ? "" : lines.removeFirst()
            if !lines.isEmpty {
                result += "\n" + lines.map { $0.isEmpty ? $0 : indention + $0 }.joined(separator: "\n")
            }
        }
        if a[1]?.isTruthy ?? false { result = indention + result }
        return result
    }

    /// Python's `float(value)`, or `nil` where it raises.
    private static func toFloat(_ value: JinjaValue) -> Double? {
        switch value {
        case .int, .bool, .double: return value.numericDouble
        case .string(let s):
            let text = PythonString.strip(s, chars: nil).replacingOccurrences(of: "_", with: "").lowercased()
            switch text {
            case "inf", "+inf", "infinity", "+infinity": return .infinity
            case "-inf", "-infinity": return -.infinity
            case "nan", "+nan", "-nan": return .nan
            default:
                guard !text.isEmpty, text.allSatisfy({ "0123456789.e+-".contains($0) }) else { return nil }
                return Double(text)
            }
        default: return nil
        }
    }

    private static func toInt(_ value: JinjaValue, _ arguments: JinjaArguments) throws(ChatTemplateError) -> JinjaValue {
        let a = try arguments.bind("int", ["default", "base"])
        let fallback = a[0] ?? .int(0)
        switch value {
        case .int, .bool: return .int(value.integerValue ?? 0)
        case .double(let d):
            guard d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) else { return fallback }
            return .int(i)
        case .string(let s):
            let base = a[1]?.integerValue ?? 10
            let text = PythonString.strip(s, chars: nil).replacingOccurrences(of: "_", with: "")
            var digits = Substring(text)
            if base == 16 || base == 8 || base == 2, digits.count > 2 {
                let prefix = digits.prefix(2).lowercased()
                if prefix == "0x" || prefix == "0o" || prefix == "0b" { digits = digits.dropFirst(2) }
            }
            if let i = Int(digits, radix: base) { return .int(i) }
            if let d = toFloat(value), d.isFinite, let i = Int(exactly: d.rounded(.towardZero)) { return .int(i) }
            return fallback
        default:
            return fallback
        }
    }

    private static func round(_ value: JinjaValue, _ arguments: JinjaArguments) throws(ChatTemplateError) -> JinjaValue {
        let a = try arguments.bind("round", ["precision", "method"])
        let precision = a[0]?.integerValue ?? 0
        let method = (a[1] ?? .string("common")).pythonString
        guard ["common", "ceil", "floor"].contains(method) else {
            throw .value("method must be common, ceil or floor")
        }
        if method == "common", let i = value.integerValue, precision >= 0 { return .int(i) }
        guard let d = value.numericDouble else {
            throw .type("type \(value.pythonTypeName) doesn't define __round__ method")
        }
        if method != "common" {
            let scale = pow(10.0, Double(precision))
            return .double((method == "ceil" ? (d * scale).rounded(.up) : (d * scale).rounded(.down)) / scale)
        }
        guard d.isFinite else { return .double(d) }
        if precision == 0 { return .double(d.rounded(.toNearestOrEven)) }
        guard precision > 0 else {
            let scale = pow(10.0, Double(-precision))
            return .double((d / scale).rounded(.toNearestOrEven) * scale)
        }
        // printf rounds the exact binary value half-to-even, as Python's round does.
        return .double(Double(String(format: "%.\(min(precision, 40))f", d)) ?? d)
    }

    /// transformers' `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
    private static func toJSON(_ value: JinjaValue, _ arguments: JinjaArguments) throws(ChatTemplateError) -> String {
        let a = try arguments.bind("tojson", ["ensure_ascii", "indent", "separators", "sort_keys"])
        var indent: String?
        switch a[1] {
        case nil, .some(.none): indent = nil
        case .some(.string(let s)): indent = s
        case .some(let v):
            guard let n = v.integerValue else { throw .type("indent must be an int or a string") }
            try JinjaArithmetic.checkLength(n)
            indent = String(repeating: " ", count: max(0, n))
        }
        var separators: (String, String)?
        if case .array(let pair)? = a[2] {
            guard pair.count == 2, case .string(let item) = pair[0], case .string(let key) = pair[1] else {
                throw .value("separators must be a pair of strings")
            }
            separators = (item, key)
        }
        let encoder = JinjaJSONEncoder(
            ensureASCII: a[0]?.isTruthy ?? false, indent: indent, separators: separators,
            sortKeys: a[3]?.isTruthy ?? false)
        return try encoder.encode(value)
    }
}
