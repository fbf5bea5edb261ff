/// Turns generated token ids into text one id at a time, for streaming output.
///
/// A token can end in the middle of a multi-byte UTF-8 character (emoji and CJK are often
/// split across tokens); such bytes are held back until the character is complete, so the
/// returned text never contains a broken character. For a valid byte sequence the
/// concatenation of all returned strings (including `flush()`) equals
/// `tokenizer.decode(ids)` (except for trailing characters a decoder strips from the end
/// of a whole text, which no tokenizer in use does).
public struct StreamingDetokenizer: Sendable {
    /// The tokenizer that gives each id its bytes.
    public let tokenizer: Tokenizer
    /// Whether special tokens are left out of the text.
    public let skipSpecialTokens: Bool
    private var pending: [UInt8] = []
    private var state: TokenDecoder.State

    /// A detokenizer with nothing pending, at the start of a text (so a SentencePiece
    /// tokenizer drops the first token's leading space, as `decode` does).
    public init(tokenizer: Tokenizer, skipSpecialTokens: Bool = false) {
        self.tokenizer = tokenizer
        self.skipSpecialTokens = skipSpecialTokens
        state = tokenizer.makeDecodeState()
    }

    /// Bytes received but not yet returned (the start of an incomplete character).
    public var pendingByteCount: Int { pending.count }

    /// Adds one token and returns the text completed by it (possibly empty). Bytes that can
    /// never become valid UTF-8 are returned at once as U+FFFD.
    public mutating func append(_ id: Int) -> String {
        tokenizer.appendBytes(of: id, skipSpecialTokens: skipSpecialTokens, state: &state, to: &pending)
        let complete = Self.completePrefixLength(pending)
        guard complete > 0 else { return "" }
        let text = String(decoding: pending[..<complete], as: UTF8.self)
        pending.removeFirst(complete)
        return text
    }

    /// Returns whatever is still held (an incomplete character becomes U+FFFD) and empties
    /// the detokenizer.
    public mutating func flush() -> String {
        defer { pending.removeAll() }
        return String(decoding: pending, as: UTF8.self)
    }

    /// Length of the longest prefix that does not end inside a character that could still
    /// be completed: the tail held back is a valid but unfinished UTF-8 sequence.
    static func completePrefixLength(_ bytes: [UInt8]) -> Int {
        let count = bytes.count
        // A character is at most 4 bytes, so an unfinished one starts in the last 3.
        var start = count - 1
        while start >= 0 && start >= count - 3 {
            let byte = bytes[start]
            if byte & 0xC0 != 0x80 {  // not a continuation byte: a lead byte or ASCII
                let need = sequenceLength(lead: byte)
                if need > count - start && isValidPrefix(bytes[start...]) { return start }
                return count
            }
            start -= 1
        }
        return count
    }

    /// Bytes in a sequence that starts with `lead` (1 for ASCII and invalid leads).
    private static func sequenceLength(lead: UInt8) -> Int {
        switch lead {
        case 0xC2...0xDF: return 2
        case 0xE0...0xEF: return 3
        case 0xF0...0xF4: return 4
        default: return 1
        }
    }

    /// Whether `tail` (lead byte first) can still grow into a well-formed character.
    private static func isValidPrefix(_ tail: ArraySlice<UInt8>) -> Bool {
        let lead = tail[tail.startIndex]
        for (offset, byte) in tail.enumerated().dropFirst() {
            var range: ClosedRange<UInt8> = 0x80...0xBF
            if offset == 1 {
                switch lead {
                case 0xE0: range = 0xA0...0xBF
                case 0xED: range = 0x80...0x9F
                case 0xF0: range = 0x90...0xBF
                case 0xF4: range = 0x80...0x8F
                default: break
                }
            }
            if !range.contains(byte) { return false }
        }
        return true
    }
}
