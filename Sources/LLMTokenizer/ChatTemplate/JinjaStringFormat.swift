/// Python's `str.format`: `{}` (auto-numbered), `{0}`, `{name}`, `{name.attr}`,
/// `{name[key]}`, `!r`/`!s` conversions and `{{`/`}}` escapes. Format specs after `:` are
/// supported for width, alignment and fill on strings only.
enum JinjaStringFormat {
    static func format(_ template: String, _ arguments: JinjaArguments) throws(ChatTemplateError) -> String {
        let scalars = Array(template.unicodeScalars)
        var out = String.UnicodeScalarView()
        var autoIndex = 0
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            if c == "}" {
                guard i + 1 < scalars.count, scalars[i + 1] == "}" else {
                    throw .value("Single '}' encountered in format string")
                }
                out.append("}")
                i += 2
                continue
            }
            guard c == "{" else {
                out.append(c)
                i += 1
                continue
            }
            if i + 1 < scalars.count && scalars[i + 1] == "{" {
                out.append("{")
                i += 2
                continue
            }
            guard let close = scalars[i...].firstIndex(of: "}") else {
                throw .value("expected '}' before end of string")
            }
            var field = PythonString.string(scalars[(i + 1)..<close])
            i = close + 1
            var spec = ""
            if let colon = field.firstIndex(of: ":") {
                spec = String(field[field.index(after: colon)...])
                field = String(field[..<colon])
            }
            var conversion: Character?
            if let bang = field.firstIndex(of: "!") {
                conversion = field[field.index(after: bang)...].first
                field = String(field[..<bang])
            }
            var value = try resolve(field, arguments, &autoIndex)
            if conversion == "r" { value = .string(value.pythonRepr) }
            out.append(contentsOf: try applySpec(value.pythonString, spec).unicodeScalars)
        }
        return String(out)
    }

    private static func resolve(_ field: String, _ arguments: JinjaArguments, _ autoIndex: inout Int)
        throws(ChatTemplateError) -> JinjaValue
    {
        let head = field.prefix { $0 != "." && $0 != "[" }
        var rest = field.dropFirst(head.count)
        var value: JinjaValue
        let isAutomatic = head.isEmpty
        if Int(head) != nil || isAutomatic {
            // Python refuses to mix `{}` with `{0}` in one format string.
            if isAutomatic && autoIndex < 0 {
                throw .value("cannot switch from manual field specification to automatic field numbering")
            }
            if !isAutomatic && autoIndex > 0 {
                throw .value("cannot switch from manual field specification to automatic field numbering")
            }
            if !isAutomatic { autoIndex = -1 }
        }
        if head.isEmpty {
            guard autoIndex < arguments.positional.count else {
                throw .value("Replacement index \(autoIndex) out of range for positional args tuple")
            }
            value = arguments.positional[autoIndex]
            autoIndex += 1
        } else if let index = Int(head) {
            guard index < arguments.positional.count else {
                throw .value("Replacement index \(index) out of range for positional args tuple")
            }
            value = arguments.positional[index]
        } else {
            guard let v = arguments.keywordValue(String(head)) else { throw .value("KeyError: '\(head)'") }
            value = v
        }
        while let first = rest.first {
            if first == "." {
                let name = rest.dropFirst().prefix { $0 != "." && $0 != "[" }
                rest = rest.dropFirst(1 + name.count)
                value = JinjaAccess.attribute(of: value, String(name))
            } else {
                guard let close = rest.firstIndex(of: "]") else { throw .value("Missing ']' in format string") }
                let key = rest[rest.index(after: rest.startIndex)..<close]
                rest = rest[rest.index(after: close)...]
                value = JinjaAccess.item(of: value, Int(key).map(JinjaValue.int) ?? .string(String(key)))
            }
        }
        return value
    }

    /// Applies `[[fill]align][width]` to already formatted text.
    private static func applySpec(_ text: String, _ spec: String) throws(ChatTemplateError) -> String {
        guard !spec.isEmpty else { return text }
        var chars = Array(spec)
        var fill: Character = " "
        var align: Character = "<"
        if chars.count >= 2 && "<>^".contains(chars[1]) {
            fill = chars[0]
            align = chars[1]
            chars.removeFirst(2)
        } else if let first = chars.first, "<>^".contains(first) {
            align = first
            chars.removeFirst()
        }
        guard let width = Int(String(chars)), width > text.unicodeScalars.count else { return text }
        try JinjaArithmetic.checkLength(width)
        let total = width - text.unicodeScalars.count
        let pad = { (n: Int) in String(repeating: String(fill), count: n) }
        switch align {
        case ">": return pad(total) + text
        case "^": return pad(total / 2) + text + pad(total - total / 2)
        default: return text + pad(total)
        }
    }
}
