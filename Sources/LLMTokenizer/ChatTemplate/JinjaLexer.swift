/// Splits a template into tokens the way jinja2's lexer does with transformers' settings
/// (`trim_blocks=True`, `lstrip_blocks=True`): newlines normalised to `\n`, one trailing
/// newline dropped, `{%-`/`-%}` (and `{{-`, `{#-`, ...) strip whitespace around tags,
/// block and comment tags swallow the newline after them and the indentation before them,
/// comments vanish and `{% raw %}` text is kept verbatim.
struct JinjaLexer {
    typealias Scalar = Unicode.Scalar

    private let src: [Scalar]
    private var pos = 0
    private var tokens: [JinjaToken] = []
    private var lineStarts: [Int] = [0]
    /// Whether the last tag ended with a newline (or the template just began), which lets
    /// `lstrip_blocks` strip indentation before the next tag.
    private var lineStarting = true
    /// Open brackets inside a tag; a tag only ends when they are balanced.
    private var balance: [Scalar] = []

    /// The tokens of `source`, ending with `.eof`.
    static func tokenize(_ source: String) throws(ChatTemplateError) -> [JinjaToken] {
        var lexer = JinjaLexer(source: source)
        try lexer.run()
        return lexer.tokens
    }

    private init(source: String) {
        var scalars: [Scalar] = []
        scalars.reserveCapacity(source.unicodeScalars.count)
        var previousCR = false
        for c in source.unicodeScalars {
            if c == "\n" && previousCR {
                previousCR = false
                continue
            }
            previousCR = c == "\r"
            scalars.append(c == "\r" ? "\n" : c)
        }
        if scalars.last == "\n" { scalars.removeLast() }
        src = scalars
        for (i, c) in src.enumerated() where c == "\n" { lineStarts.append(i + 1) }
    }

    // MARK: Positions

    private func location(_ index: Int) -> (line: Int, column: Int) {
        var low = 0
        var high = lineStarts.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if lineStarts[mid] <= index { low = mid } else { high = mid - 1 }
        }
        return (low + 1, index - lineStarts[low] + 1)
    }

    private func error(_ message: String, at index: Int) -> ChatTemplateError {
        let (line, column) = location(index)
        return ChatTemplateError(kind: .syntax, message: message, line: line, column: column)
    }

    private mutating func emit(_ kind: JinjaToken.Kind, at index: Int) {
        let (line, column) = location(index)
        tokens.append(JinjaToken(kind: kind, line: line, column: column))
    }

    private func at(_ index: Int, _ text: String) -> Bool {
        var i = index
        for c in text.unicodeScalars {
            guard i < src.count, src[i] == c else { return false }
            i += 1
        }
        return true
    }

    // MARK: Template text

    private mutating func run() throws(ChatTemplateError) {
        while pos < src.count {
            guard let tag = nextTag(from: pos) else {
                emit(.data(PythonString.string(src[pos...])), at: pos)
                pos = src.count
                break
            }
            let sign: Scalar? = tag + 2 < src.count && (src[tag + 2] == "-" || src[tag + 2] == "+") ? src[tag + 2] : nil
            let kind = src[tag + 1]
            let rawEnd = kind == "%" ? rawBeginEnd(at: tag) : nil
            emitText(from: pos, to: tag, sign: sign, isVariable: kind == "{")
            pos = tag + 2 + (sign == nil ? 0 : 1)
            if let rawEnd {
                pos = rawEnd
                lineStarting = src[rawEnd - 1] == "\n"
                try lexRaw()
            } else if kind == "#" {
                try lexComment(start: tag)
            } else {
                emit(kind == "%" ? .blockBegin : .variableBegin, at: tag)
                try lexTag(isBlock: kind == "%", start: tag)
            }
        }
        emit(.eof, at: src.count)
    }

    /// The index of the next `{{`, `{%` or `{#` at or after `from`.
    private func nextTag(from: Int) -> Int? {
        var i = from
        while i + 1 < src.count {
            if src[i] == "{" && (src[i + 1] == "{" || src[i + 1] == "%" || src[i + 1] == "#") { return i }
            i += 1
        }
        return nil
    }

    /// Emits the text before a tag after `{%-` stripping or `lstrip_blocks`.
    private mutating func emitText(from start: Int, to end: Int, sign: Scalar?, isVariable: Bool) {
        var end = end
        if sign == "-" {
            while end > start && PythonString.isWhitespace(src[end - 1]) { end -= 1 }
        } else if sign != "+" && !isVariable {
            var lineStart = end
            while lineStart > start && src[lineStart - 1] != "\n" { lineStart -= 1 }
            if (lineStart > start || lineStarting) && lineStart < end
                && src[lineStart..<end].allSatisfy(PythonString.isWhitespace)
            {
                end = lineStart
            }
        }
        if end > start { emit(.data(PythonString.string(src[start..<end])), at: start) }
    }

    /// Where the text after a `{% raw %}` tag at `tag` begins, or `nil` if it is not one.
    private func rawBeginEnd(at tag: Int) -> Int? {
        var i = tag + 2
        if i < src.count && (src[i] == "-" || src[i] == "+") { i += 1 }
        while i < src.count && PythonString.isWhitespace(src[i]) { i += 1 }
        guard at(i, "raw") else { return nil }
        i += 3
        while i < src.count && PythonString.isWhitespace(src[i]) { i += 1 }
        if at(i, "-%}") {
            i += 3
            while i < src.count && PythonString.isWhitespace(src[i]) { i += 1 }
            return i
        }
        return at(i, "%}") ? i + 2 : nil
    }

    /// After `{% raw %}`: the verbatim text up to `{% endraw %}`.
    private mutating func lexRaw() throws(ChatTemplateError) {
        let start = pos
        var i = pos
        while i + 1 < src.count {
            if src[i] == "{" && src[i + 1] == "%" {
                var j = i + 2
                let sign: Scalar? = j < src.count && (src[j] == "-" || src[j] == "+") ? src[j] : nil
                if sign != nil { j += 1 }
                while j < src.count && PythonString.isWhitespace(src[j]) { j += 1 }
                if at(j, "endraw") {
                    j += 6
                    while j < src.count && PythonString.isWhitespace(src[j]) { j += 1 }
                    if let end = tagEnd(at: j, close: "%", trimNewline: true) {
                        emitText(from: start, to: i, sign: sign, isVariable: false)
                        pos = end
                        lineStarting = src[end - 1] == "\n"
                        return
                    }
                }
            }
            i += 1
        }
        throw error("Missing end of raw directive", at: start)
    }

    /// After `{#`: skips to the end of the comment.
    private mutating func lexComment(start: Int) throws(ChatTemplateError) {
        var i = pos
        while i < src.count {
            if let end = tagEnd(at: i, close: "#", trimNewline: true) {
                pos = end
                lineStarting = src[end - 1] == "\n"
                return
            }
            i += 1
        }
        throw error("Missing end of comment tag", at: start)
    }

    /// If a tag closes at `i` (`+%}`, `-%}` plus whitespace, or `%}` plus one newline when
    /// `trimNewline`), the index after it.
    private func tagEnd(at i: Int, close: Scalar, trimNewline: Bool) -> Int? {
        guard i + 1 < src.count else { return nil }
        let c = src[i]
        if (c == "+" || c == "-") && i + 2 < src.count && src[i + 1] == close && src[i + 2] == "}" {
            guard c == "-" else { return i + 3 }
            var j = i + 3
            while j < src.count && PythonString.isWhitespace(src[j]) { j += 1 }
            return j
        }
        guard c == close && src[i + 1] == "}" else { return nil }
        if trimNewline && i + 2 < src.count && src[i + 2] == "\n" { return i + 3 }
        return i + 2
    }

    // MARK: Inside tags

    private mutating func lexTag(isBlock: Bool, start: Int) throws(ChatTemplateError) {
        balance.removeAll()
        while true {
            guard pos < src.count else {
                throw error(
                    "unexpected end of template, expected '\(isBlock ? "end of statement block" : "end of print statement")'.",
                    at: start)
            }
            if balance.isEmpty,
                let end = isBlock ? tagEnd(at: pos, close: "%", trimNewline: true) : variableEnd(at: pos)
            {
                emit(isBlock ? .blockEnd : .variableEnd, at: pos)
                pos = end
                lineStarting = src[end - 1] == "\n"
                return
            }
            let c = src[pos]
            if PythonString.isWhitespace(c) {
                pos += 1
            } else if c.properties.numericType == .decimal && c.isASCII {
                lexNumber()
            } else if c == "_" || c.properties.isXIDStart {
                let begin = pos
                while pos < src.count && (src[pos] == "_" || src[pos].properties.isXIDContinue) { pos += 1 }
                emit(.name(PythonString.string(src[begin..<pos])), at: begin)
            } else if c == "'" || c == "\"" {
                try lexString()
            } else {
                try lexOperator()
            }
        }
    }

    private func variableEnd(at i: Int) -> Int? {
        if at(i, "-}}") {
            var j = i + 3
            while j < src.count && PythonString.isWhitespace(src[j]) { j += 1 }
            return j
        }
        return at(i, "}}") ? i + 2 : nil
    }

    private static let operators = ["**", "//", "==", "!=", ">=", "<=", "+", "-", "/", "*", "%", "~", "[", "]",
        "(", ")", "{", "}", ">", "<", "=", ".", ":", "|", ",", ";"]

    private mutating func lexOperator() throws(ChatTemplateError) {
        let first = src[pos]
        guard let op = Self.operators.first(where: { $0.unicodeScalars.first == first && at(pos, $0) }) else {
            throw error("unexpected char '\(src[pos])' at \(pos)", at: pos)
        }
        switch op {
        case "(": balance.append(")")
        case "[": balance.append("]")
        case "{": balance.append("}")
        case ")", "]", "}":
            guard let expected = balance.popLast() else { throw error("unexpected '\(op)'", at: pos) }
            if String(expected) != op { throw error("unexpected '\(op)', expected '\(expected)'", at: pos) }
        default: break
        }
        emit(.op(op), at: pos)
        pos += op.unicodeScalars.count
    }

    private func isDigit(_ i: Int) -> Bool {
        i < src.count && src[i].value >= 0x30 && src[i].value <= 0x39
    }

    /// Digits with optional `_` separators starting at `i`; the index after them.
    private func digits(from i: Int) -> Int {
        var j = i
        while isDigit(j) || (j < src.count && src[j] == "_" && isDigit(j + 1) && j > i) { j += 1 }
        return j
    }

    private mutating func lexNumber() {
        let begin = pos
        var end = digits(from: pos)
        var isFloat = false
        if end < src.count && src[end] == "." && isDigit(end + 1) {
            end = digits(from: end + 1)
            isFloat = true
        }
        if end < src.count && (src[end] == "e" || src[end] == "E") {
            var j = end + 1
            if j < src.count && (src[j] == "+" || src[j] == "-") { j += 1 }
            if isDigit(j) {
                end = digits(from: j)
                isFloat = true
            }
        }
        let text = PythonString.string(src[begin..<end]).replacingOccurrences(of: "_", with: "")
        pos = end
        if !isFloat, let value = Int(text) {
            emit(.integer(value), at: begin)
        } else {
            emit(.float(Double(text) ?? .infinity), at: begin)
        }
    }

    private mutating func lexString() throws(ChatTemplateError) {
        let begin = pos
        let quote = src[pos]
        var i = pos + 1
        var value = String.UnicodeScalarView()
        while i < src.count && src[i] != quote {
            if src[i] == "\\" && i + 1 < src.count {
                i = try decodeEscape(at: i + 1, into: &value)
            } else {
                value.append(src[i])
                i += 1
            }
        }
        guard i < src.count else { throw error("unexpected char '\(quote)' at \(begin)", at: begin) }
        pos = i + 1
        emit(.string(String(value)), at: begin)
    }

    /// Decodes the Python escape whose letter is at `i`; returns the index after it.
    private func decodeEscape(at i: Int, into value: inout String.UnicodeScalarView) throws(ChatTemplateError) -> Int {
        let c = src[i]
        let simple: [Scalar: Scalar] = [
            "\\": "\\", "'": "'", "\"": "\"", "a": "\u{07}", "b": "\u{08}", "f": "\u{0C}", "n": "\n", "r": "\r",
            "t": "\t", "v": "\u{0B}",
        ]
        if let mapped = simple[c] {
            value.append(mapped)
            return i + 1
        }
        if c == "\n" { return i + 1 }
        if c.value >= 0x30 && c.value <= 0x37 {
            var j = i
            var code: UInt32 = 0
            while j < src.count && j < i + 3 && src[j].value >= 0x30 && src[j].value <= 0x37 {
                code = code * 8 + src[j].value - 0x30
                j += 1
            }
            value.append(Scalar(code) ?? "\u{FFFD}")
            return j
        }
        let width = c == "x" ? 2 : c == "u" ? 4 : c == "U" ? 8 : 0
        guard width > 0 else {
            value.append("\\")
            value.append(c)
            return i + 1
        }
        guard i + width < src.count,
            let code = UInt32(PythonString.string(src[(i + 1)...(i + width)]), radix: 16),
            let scalar = Scalar(code)
        else { throw error("truncated \\\(c) escape in a string literal", at: i) }
        value.append(scalar)
        return i + 1 + width
    }
}
