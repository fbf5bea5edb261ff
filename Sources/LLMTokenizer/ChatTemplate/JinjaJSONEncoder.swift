/// The `tojson` filter as transformers defines it: Python's
/// `json.dumps(value, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`,
/// byte for byte (no HTML escaping, unlike jinja2's own `tojson`).
struct JinjaJSONEncoder {
    var ensureASCII = false
    /// The indent string per level, or `nil` for everything on one line.
    var indent: String?
    var itemSeparator = ", "
    var keySeparator = ": "
    var sortKeys = false

    /// Nesting deeper than this is reported as a circular reference, as Python would.
    private static let maxDepth = 500

    /// Python's defaults for `indent`: `", "` between items without indent, `","` with.
    init(ensureASCII: Bool = false, indent: String? = nil, separators: (String, String)? = nil, sortKeys: Bool = false) {
        self.ensureASCII = ensureASCII
        self.indent = indent
        self.sortKeys = sortKeys
        if let separators {
            itemSeparator = separators.0
            keySeparator = separators.1
        } else if indent != nil {
            itemSeparator = ","
        }
    }

    func encode(_ value: JinjaValue) throws(ChatTemplateError) -> String {
        var out = ""
        try write(value, to: &out, level: 0)
        return out
    }

    private func write(_ value: JinjaValue, to out: inout String, level: Int) throws(ChatTemplateError) {
        guard level < Self.maxDepth else { throw .value("Circular reference detected") }
        switch value {
        case .none: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .double(let d): out += Self.floatText(d)
        case .string(let s): writeString(s, to: &out)
        case .array(let items):
            guard !items.isEmpty else {
                out += "[]"
                return
            }
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(&out, level: level + 1)
                try write(item, to: &out, level: level + 1)
            }
            newline(&out, level: level)
            out += "]"
        case .object(let object):
            guard !object.isEmpty else {
                out += "{}"
                return
            }
            var entries = object.entries
            if sortKeys {
                entries.sort { $0.key.text.utf8.lexicographicallyPrecedes($1.key.text.utf8) }
            }
            out += "{"
            for (i, entry) in entries.enumerated() {
                if i > 0 { out += itemSeparator }
                newline(&out, level: level + 1)
                writeString(entry.key.text, to: &out)
                out += keySeparator
                try write(entry.value, to: &out, level: level + 1)
            }
            newline(&out, level: level)
            out += "}"
        case .undefined, .callable, .namespace, .iterator:
            throw .type("Object of type \(value.pythonTypeName) is not JSON serializable")
        }
    }

    private func newline(_ out: inout String, level: Int) {
        guard let indent else { return }
        out += "\n"
        for _ in 0..<level { out += indent }
    }

    /// Python's JSON text for a float: `repr`, with `NaN` and `Infinity` spelled as
    /// JavaScript does.
    static func floatText(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return JinjaValue.pythonFloatRepr(d)
    }

    private func writeString(_ s: String, to out: inout String) {
        out += "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if c.value < 0x20 || (ensureASCII && c.value > 0x7E) {
                    if c.value > 0xFFFF {
                        let v = c.value - 0x10000
                        out += "\\u" + JinjaValue.hex(0xD800 + (v >> 10), width: 4)
                        out += "\\u" + JinjaValue.hex(0xDC00 + (v & 0x3FF), width: 4)
                    } else {
                        out += "\\u" + JinjaValue.hex(c.value, width: 4)
                    }
                } else {
                    out.unicodeScalars.append(c)
                }
            }
        }
        out += "\""
    }
}
