/// A JSON reader that keeps object keys in document order (Foundation's does not), so
/// that messages and tool schemas reach templates the way Python's `json.loads` gives
/// them: integers stay `int`, numbers with a fraction or exponent become `float`.
struct JinjaJSONParser {
    private let bytes: [UInt8]
    private var position = 0
    private static let maxDepth = 512

    /// Parses one JSON document; trailing non-space bytes are an error.
    static func parse(_ bytes: [UInt8]) throws(ChatTemplateError) -> JinjaValue {
        var parser = JinjaJSONParser(bytes: bytes)
        let value = try parser.parseValue(depth: 0)
        parser.skipSpace()
        guard parser.position == parser.bytes.count else { throw parser.fail("unexpected data after the JSON value") }
        return value
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private func fail(_ what: String) -> ChatTemplateError {
        .value("invalid JSON at byte \(position): \(what)")
    }

    private mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JinjaValue) throws(ChatTemplateError) -> JinjaValue {
        let expected = Array(literal.utf8)
        guard position + expected.count <= bytes.count,
            Array(bytes[position..<(position + expected.count)]) == expected
        else { throw fail("expected \(literal)") }
        position += expected.count
        return value
    }

    private mutating func parseValue(depth: Int) throws(ChatTemplateError) -> JinjaValue {
        guard depth < Self.maxDepth else { throw fail("nested too deeply") }
        skipSpace()
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .none)
        case UInt8(ascii: "N"): return try expect("NaN", .double(.nan))
        case UInt8(ascii: "I"): return try expect("Infinity", .double(.infinity))
        default: return try parseNumber()
        }
    }

    private mutating func parseObject(depth: Int) throws(ChatTemplateError) -> JinjaValue {
        position += 1
        var object = JinjaObject()
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let key = try parseString()
            skipSpace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            position += 1
            object.set(.string(key), try parseValue(depth: depth + 1))
            skipSpace()
            guard position < bytes.count else { throw fail("unterminated object") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "}") {
                position += 1
                return .object(object)
            } else {
                throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func parseArray(depth: Int) throws(ChatTemplateError) -> JinjaValue {
        position += 1
        var items: [JinjaValue] = []
        skipSpace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            return .array(items)
        }
        while true {
            items.append(try parseValue(depth: depth + 1))
            skipSpace()
            guard position < bytes.count else { throw fail("unterminated array") }
            if bytes[position] == UInt8(ascii: ",") {
                position += 1
            } else if bytes[position] == UInt8(ascii: "]") {
                position += 1
                return .array(items)
            } else {
                throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func parseNumber() throws(ChatTemplateError) -> JinjaValue {
        let start = position
        var isInteger = true
        if position < bytes.count, bytes[position] == UInt8(ascii: "-") { position += 1 }
        if position < bytes.count, bytes[position] == UInt8(ascii: "I") {
            return try expect("Infinity", .double(-.infinity))
        }
        while position < bytes.count {
            let b = bytes[position]
            if b >= 0x30 && b <= 0x39 {
                position += 1
            } else if b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
                || ((b == UInt8(ascii: "+") || b == UInt8(ascii: "-")) && isInteger == false)
            {
                isInteger = false
                position += 1
            } else {
                break
            }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        guard !text.isEmpty, text != "-" else { throw fail("unexpected character") }
        if isInteger, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw fail("invalid number '\(text)'") }
        return .double(d)
    }

    private mutating func parseString() throws(ChatTemplateError) -> String {
        position += 1
        var scalars = String.UnicodeScalarView()
        var runStart = position
        func flush(_ end: Int) {
            if end > runStart { scalars.append(contentsOf: String(decoding: bytes[runStart..<end], as: UTF8.self).unicodeScalars) }
        }
        while position < bytes.count {
            let b = bytes[position]
            if b == UInt8(ascii: "\"") {
                flush(position)
                position += 1
                return String(scalars)
            }
            guard b == UInt8(ascii: "\\") else {
                position += 1
                continue
            }
            flush(position)
            position += 1
            guard position < bytes.count else { break }
            let escape = bytes[position]
            position += 1
            switch escape {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "u"):
                var code = try hex4()
                if code >= 0xD800 && code < 0xDC00, position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"),
                    bytes[position + 1] == UInt8(ascii: "u")
                {
                    let save = position
                    position += 2
                    let low = try hex4()
                    if low >= 0xDC00 && low < 0xE000 {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        position = save
                    }
                }
                scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            default: scalars.append(Unicode.Scalar(escape))
            }
            runStart = position
        }
        throw fail("unterminated string")
    }

    private mutating func hex4() throws(ChatTemplateError) -> UInt32 {
        guard position + 4 <= bytes.count,
            let code = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
        else { throw fail("invalid \\u escape") }
        position += 4
        return code
    }
}
