import Foundation

/// Python's printf-style `"text %s" % args` (also the `format` filter): conversions
/// `s r d i f F e E g x X o c %`, with `-`/`0`/`+`/space flags, width and precision, and
/// `%(key)s` against a dict. A list argument supplies the values in order (templates write
/// tuples, which are lists here).
enum JinjaPercentFormat {
    static func format(_ format: String, _ args: JinjaValue) throws(ChatTemplateError) -> String {
        var values: [JinjaValue]
        var mapping: JinjaObject?
        switch args {
        case .array(let items): values = items
        case .object(let o):
            values = [args]
            mapping = o
        default: values = [args]
        }
        var next = 0
        var out = ""
        let scalars = Array(format.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            guard c == "%" else {
                out.unicodeScalars.append(c)
                i += 1
                continue
            }
            i += 1
            var key: String?
            if i < scalars.count && scalars[i] == "(" {
                guard let close = scalars[i...].firstIndex(of: ")") else { throw .value("incomplete format key") }
                key = PythonString.string(scalars[(i + 1)..<close])
                i = close + 1
            }
            var flags = Set<Unicode.Scalar>()
            while i < scalars.count, "-+ 0#".unicodeScalars.contains(scalars[i]) {
                flags.insert(scalars[i])
                i += 1
            }
            var width = 0
            while i < scalars.count, let d = Int(String(scalars[i])) {
                width = min(width * 10 + d, JinjaArithmetic.maxSequenceLength + 1)
                i += 1
            }
            try JinjaArithmetic.checkLength(width)
            var precision: Int?
            if i < scalars.count && scalars[i] == "." {
                i += 1
                var p = 0
                while i < scalars.count, let d = Int(String(scalars[i])) {
                    p = min(p * 10 + d, 1000)
                    i += 1
                }
                precision = p
            }
            guard i < scalars.count else { throw .value("incomplete format") }
            let conversion = scalars[i]
            i += 1
            if conversion == "%" {
                out += "%"
                continue
            }
            let value: JinjaValue
            if let key {
                guard let mapping else { throw .type("format requires a mapping") }
                guard let v = mapping[key] else { throw .value("format key '\(key)' not found") }
                value = v
            } else {
                guard next < values.count else { throw .type("not enough arguments for format string") }
                value = values[next]
                next += 1
            }
            var text = try convert(value, conversion, precision: precision, flags: flags)
            let padding = width - text.unicodeScalars.count
            if padding > 0 {
                if flags.contains("-") {
                    text += String(repeating: " ", count: padding)
                } else if flags.contains("0") && "dioxXfFeEg".unicodeScalars.contains(conversion) {
                    let negative = text.hasPrefix("-")
                    let digits = negative ? String(text.dropFirst()) : text
                    text = (negative ? "-" : "") + String(repeating: "0", count: padding) + digits
                } else {
                    text = String(repeating: " ", count: padding) + text
                }
            }
            out += text
        }
        if mapping == nil && next < values.count {
            throw .type("not all arguments converted during string formatting")
        }
        return out
    }

    private static func convert(_ value: JinjaValue, _ conversion: Unicode.Scalar, precision: Int?, flags: Set<Unicode.Scalar>)
        throws(ChatTemplateError) -> String
    {
        let sign: (Double) -> String = { $0 >= 0 ? (flags.contains("+") ? "+" : flags.contains(" ") ? " " : "") : "" }
        switch conversion {
        case "s":
            let s = value.pythonString
            return precision.map { String(s.unicodeScalars.prefix($0)) } ?? s
        case "r": return value.pythonRepr
        case "d", "i":
            guard let d = value.numericDouble else {
                throw .type("%\(conversion) format: a real number is required, not \(value.pythonTypeName)")
            }
            let i = value.integerValue ?? Int(d.rounded(.towardZero))
            return sign(Double(i)) + String(i)
        case "f", "F", "e", "E", "g":
            guard let d = value.numericDouble else { throw .type("must be real number, not \(value.pythonTypeName)") }
            return sign(d) + String(format: "%.\(precision ?? 6)\(conversion)", d)
        case "x", "X", "o":
            guard let i = value.integerValue else {
                throw .type("%\(conversion) format: an integer is required, not \(value.pythonTypeName)")
            }
            let text = String(abs(i), radix: conversion == "o" ? 8 : 16, uppercase: conversion == "X")
            return (i < 0 ? "-" : "") + text
        case "c":
            if case .string(let s) = value, s.unicodeScalars.count == 1 { return s }
            guard let i = value.integerValue, let c = Unicode.Scalar(UInt32(clamping: i)) else {
                throw .type("%c requires int or char")
            }
            return String(c)
        default:
            throw .value("unsupported format character '\(conversion)'")
        }
    }
}
