/// Python's `str()` and `repr()` of template values, which is what `{{ value }}`, the
/// `string` filter and `~` print: `None`, `True`, `1.0`, `['a', 1]`, `{'k': 'v'}`.
extension JinjaValue {
    /// Python's `str(value)`; `Undefined` prints as an empty string.
    var pythonString: String {
        switch self {
        case .string(let s): return s
        case .undefined: return ""
        default:
            var out = ""
            writeRepr(to: &out, depth: 0)
            return out
        }
    }

    /// Python's `repr(value)`.
    var pythonRepr: String {
        var out = ""
        writeRepr(to: &out, depth: 0)
        return out
    }

    /// Containers nested deeper than this print as `...` (only a namespace holding itself
    /// can nest without end).
    private static let maxReprDepth = 200

    private func writeRepr(to out: inout String, depth: Int) {
        guard depth < Self.maxReprDepth else {
            out += "..."
            return
        }
        switch self {
        case .undefined: out += ""
        case .none: out += "None"
        case .bool(let b): out += b ? "True" : "False"
        case .int(let i): out += String(i)
        case .double(let d): out += Self.pythonFloatRepr(d)
        case .string(let s): Self.writeStringRepr(s, to: &out)
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                item.writeRepr(to: &out, depth: depth + 1)
            }
            out += "]"
        case .object(let object):
            Self.writeDictRepr(object, to: &out, depth: depth)
        case .namespace(let ns):
            out += "<Namespace "
            Self.writeDictRepr(ns.attributes, to: &out, depth: depth)
            out += ">"
        case .iterator(let it):
            out += it.repr
        case .callable(let c):
            switch c.kind {
            case .macro: out += "<Macro '\(c.name)'>"
            case .builtin: out += "<built-in function \(c.name)>"
            case .loop(let loop): out += "<LoopContext \(loop.index0 + 1)/\(loop.items.count)>"
            }
        }
    }

    private static func writeDictRepr(_ object: JinjaObject, to out: inout String, depth: Int) {
        out += "{"
        for (i, entry) in object.entries.enumerated() {
            if i > 0 { out += ", " }
            entry.key.value.writeRepr(to: &out, depth: depth + 1)
            out += ": "
            entry.value.writeRepr(to: &out, depth: depth + 1)
        }
        out += "}"
    }

    /// Python's `repr(str)`: single quotes unless the text has a single quote and no
    /// double quote; backslash escapes for control and unprintable characters.
    static func writeStringRepr(_ s: String, to out: inout String) {
        let quote: Unicode.Scalar = s.contains("'") && !s.contains("\"") ? "\"" : "'"
        out.unicodeScalars.append(quote)
        for c in s.unicodeScalars {
            switch c {
            case quote, "\\":
                out += "\\"
                out.unicodeScalars.append(c)
            case "\t": out += "\\t"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            default:
                if c.value < 0x20 || c.value == 0x7F {
                    out += "\\x" + hex(c.value, width: 2)
                } else if c.isASCII || isPrintable(c) {
                    out.unicodeScalars.append(c)
                } else if c.value <= 0xFF {
                    out += "\\x" + hex(c.value, width: 2)
                } else if c.value <= 0xFFFF {
                    out += "\\u" + hex(c.value, width: 4)
                } else {
                    out += "\\U" + hex(c.value, width: 8)
                }
            }
        }
        out.unicodeScalars.append(quote)
    }

    /// Python's `str.isprintable` for one non-ASCII character.
    private static func isPrintable(_ c: Unicode.Scalar) -> Bool {
        switch c.properties.generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned, .lineSeparator,
            .paragraphSeparator, .spaceSeparator:
            return false
        default:
            return true
        }
    }

    static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    /// Python's `repr(float)`: the shortest digits that read back as the same double,
    /// positional from 1e-4 up to 1e16 (with `.0` when integral), scientific otherwise.
    static func pythonFloatRepr(_ d: Double) -> String {
        if d.isNaN { return "nan" }
        if d.isInfinite { return d < 0 ? "-inf" : "inf" }
        if d == 0 { return d.sign == .minus ? "-0.0" : "0.0" }
        let (digits, pointPosition) = shortestDigits(abs(d))
        let sign = d < 0 ? "-" : ""
        if pointPosition <= -4 || pointPosition > 16 {
            var mantissa = String(digits.first ?? "0")
            if digits.count > 1 { mantissa += "." + digits.dropFirst() }
            let exponent = pointPosition - 1
            let exponentDigits = String(abs(exponent))
            let paddedExponent = exponentDigits.count < 2 ? "0" + exponentDigits : exponentDigits
            return sign + mantissa + "e" + (exponent < 0 ? "-" : "+") + paddedExponent
        }
        if pointPosition <= 0 {
            return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
        }
        if pointPosition >= digits.count {
            return sign + digits + String(repeating: "0", count: pointPosition - digits.count) + ".0"
        }
        let split = digits.index(digits.startIndex, offsetBy: pointPosition)
        return sign + digits[..<split] + "." + digits[split...]
    }

    /// The shortest round-tripping decimal digits of a positive finite double (no leading
    /// or trailing zeros) and where the decimal point goes: value = 0.DIGITS × 10^position.
    private static func shortestDigits(_ d: Double) -> (String, Int) {
        // Swift's description already holds the shortest round-tripping digits.
        let text = d.description
        var mantissa = Substring(text)
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            mantissa = text[..<e]
            exponent = Int(text[text.index(after: e)...]) ?? 0
        }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let integerPart = parts.first.map(String.init) ?? ""
        let fractionPart = parts.count > 1 ? String(parts[1]) : ""
        var digits = Substring(integerPart + fractionPart)
        var position = integerPart.count + exponent
        while digits.first == "0" {
            digits = digits.dropFirst()
            position -= 1
        }
        while digits.last == "0" { digits = digits.dropLast() }
        return (String(digits), position)
    }
}
