/// One token of a template: literal text between tags, a tag delimiter, or a piece of an
/// expression inside `{{ }}` / `{% %}`.
struct JinjaToken {
    enum Kind: Equatable {
        /// Template text, after whitespace control.
        case data(String)
        case variableBegin, variableEnd, blockBegin, blockEnd
        case name(String)
        /// A string literal, escapes decoded.
        case string(String)
        case integer(Int)
        case float(Double)
        /// An operator or punctuation: `+`, `//`, `==`, `(`, `|`, `.`, ...
        case op(String)
        case eof
    }

    let kind: Kind
    let line: Int
    let column: Int

    /// How a parse error names this token, as jinja2 does (`'end of statement block'`).
    var describe: String {
        switch kind {
        case .data: return "template data"
        case .variableBegin: return "begin of print statement"
        case .variableEnd: return "end of print statement"
        case .blockBegin: return "begin of statement block"
        case .blockEnd: return "end of statement block"
        case .name(let n): return n
        case .string: return "string"
        case .integer: return "integer"
        case .float: return "float"
        case .op(let o): return o
        case .eof: return "end of template"
        }
    }

    /// The name, when this is a name token.
    var name: String? {
        if case .name(let n) = kind { return n }
        return nil
    }

    func isName(_ n: String) -> Bool {
        if case .name(n) = kind { return true }
        return false
    }

    func isOp(_ o: String) -> Bool {
        if case .op(o) = kind { return true }
        return false
    }
}
