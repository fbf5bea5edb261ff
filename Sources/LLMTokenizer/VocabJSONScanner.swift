import Foundation

/// Reads `model.vocab` of a `tokenizer.json` straight from its bytes, keeping every entry
/// (a decoded Swift dictionary would merge canonically equivalent keys) and faster than
/// `JSONDecoder` for vocabularies of 100k+ entries.
struct VocabJSONScanner {
    private let bytes: [UInt8]
    private var i = 0
    private let file: String

    /// The entries of `model.vocab` in file order, nil when there is no such object.
    static func vocab(in data: Data, file: String) throws(TokenizerError) -> [(String, Int)]? {
        var scanner = VocabJSONScanner(bytes: [UInt8](data), file: file)
        return try scanner.findVocab()
    }

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    private mutating func findVocab() throws(TokenizerError) -> [(String, Int)]? {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else { return nil }
        var found: [(String, Int)]?
        try eachMember { scanner, key throws(TokenizerError) in
            guard key == "model", scanner.peek() == UInt8(ascii: "{") else { return try scanner.skipValue() }
            try scanner.eachMember { inner, key throws(TokenizerError) in
                guard key == "vocab", inner.peek() == UInt8(ascii: "{") else { return try inner.skipValue() }
                var entries: [(String, Int)] = []
                try inner.eachMember { entry, token throws(TokenizerError) in
                    entries.append((token, try entry.integer(field: "model.vocab.\(token)")))
                }
                found = entries
            }
        }
        return found
    }

    // MARK: - JSON walking

    private func peek() -> UInt8? { i < bytes.count ? bytes[i] : nil }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private func corrupt(_ what: String) -> TokenizerError {
        .invalidJSON(file: file, reason: "\(what) at byte \(i)")
    }

    private mutating func expect(_ byte: UInt8) throws(TokenizerError) {
        skipSpace()
        guard peek() == byte else { throw corrupt("expected '\(Character(Unicode.Scalar(byte)))'") }
        i += 1
    }

    /// Calls `body` for each member of the object at the cursor, with the cursor on the value;
    /// `body` must consume the value.
    private mutating func eachMember(
        _ body: (inout VocabJSONScanner, String) throws(TokenizerError) -> Void
    ) throws(TokenizerError) {
        try expect(UInt8(ascii: "{"))
        skipSpace()
        if peek() == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skipSpace()
            let key = try string()
            try expect(UInt8(ascii: ":"))
            skipSpace()
            try body(&self, key)
            skipSpace()
            guard let next = peek() else { throw corrupt("unterminated object") }
            i += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw corrupt("expected ',' or '}'") }
        }
    }

    private mutating func integer(field: String) throws(TokenizerError) -> Int {
        skipSpace()
        let start = i
        if peek() == UInt8(ascii: "-") { i += 1 }
        while let byte = peek(), byte >= 0x30 && byte <= 0x39 { i += 1 }
        let isEnd = peek().map { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "}") || $0 <= 0x20 } ?? true
        guard isEnd, let value = Int(String(decoding: bytes[start..<i], as: UTF8.self)) else {
            try skipValue(from: start)
            throw .invalidField(
                file: file, field: field, expected: "an integer id",
                found: String(decoding: bytes[start..<min(i, start + 40)], as: UTF8.self))
        }
        return value
    }

    private mutating func skipValue(from start: Int) throws(TokenizerError) {
        i = start
        try skipValue()
    }

    /// Moves past the value at the cursor.
    private mutating func skipValue() throws(TokenizerError) {
        skipSpace()
        guard let byte = peek() else { throw corrupt("missing value") }
        switch byte {
        case UInt8(ascii: "\""):
            _ = try string()
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            repeat {
                guard let c = peek() else { throw corrupt("unterminated value") }
                if c == UInt8(ascii: "\"") {
                    _ = try string()
                    continue
                }
                if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") { depth -= 1 }
                i += 1
            } while depth > 0
        default:
            while let c = peek(), c != UInt8(ascii: ","), c != UInt8(ascii: "}"), c != UInt8(ascii: "]") { i += 1 }
        }
    }

    /// The string at the cursor, escapes decoded.
    private mutating func string() throws(TokenizerError) -> String {
        guard peek() == UInt8(ascii: "\"") else { throw corrupt("expected a string") }
        i += 1
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\") { i += 1 }
        guard i < bytes.count else { throw corrupt("unterminated string") }
        if bytes[i] == UInt8(ascii: "\"") {
            i += 1
            return String(decoding: bytes[start..<(i - 1)], as: UTF8.self)
        }
        var out = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw corrupt("unterminated string") }
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") { return String(decoding: out, as: UTF8.self) }
            guard c == UInt8(ascii: "\\") else {
                out.append(c)
                continue
            }
            guard i < bytes.count else { throw corrupt("unterminated escape") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                var value = try hex4()
                if (0xD800..<0xDC00).contains(value), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"),
                    bytes[i + 1] == UInt8(ascii: "u")
                {
                    i += 2
                    let low = try hex4()
                    value = 0x10000 + ((value - 0xD800) << 10) + (low &- 0xDC00)
                }
                UTF8.encode(Unicode.Scalar(value) ?? "\u{FFFD}") { out.append($0) }
            default: out.append(e)
            }
        }
    }

    private mutating func hex4() throws(TokenizerError) -> UInt32 {
        guard i + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[i..<(i + 4)], as: UTF8.self), radix: 16) else {
            throw corrupt("bad \\u escape")
        }
        i += 4
        return value
    }
}
