/// A token matched as a whole in the text before pre-tokenization: HF `added_tokens`, or
/// GGUF control / user-defined tokens.
struct AddedToken: Sendable, Equatable {
    var id: Int
    var content: String
    /// Special tokens can be skipped when decoding and are not parsed when the caller asks
    /// for plain-text encoding.
    var special: Bool
    /// Only matched when not inside a word (no `\w` scalar right before or after).
    var singleWord = false
    /// Whitespace before the token is absorbed into it.
    var lstrip = false
    /// Whitespace after the token is absorbed into it.
    var rstrip = false
    /// Matched after normalization rather than on the raw text.
    var normalized = false
}

/// A piece of input after added-token matching.
enum TextSegment: Equatable {
    /// Ordinary text (a range of the scalar buffer) that goes through pre-tokenizer and BPE.
    case text(Range<Int>)
    /// An added token.
    case token(Int)
}

/// Finds added tokens in text with HF's rules: leftmost match, the longest at that
/// position, no overlaps; then `single_word`, `lstrip` and `rstrip` as each token says.
struct AddedTokenMatcher: Sendable {
    private struct Entry: Sendable {
        var token: AddedToken
        var scalars: [Unicode.Scalar]
    }

    private let entries: [Entry]
    /// Entry indices by first scalar, longest content first.
    private let byFirstScalar: [UInt32: [Int]]
    private let asciiFirst: [Bool]
    /// `lstrip`/`rstrip` absorb only ASCII whitespace (llama.cpp's `isspace`) instead of
    /// Unicode White_Space (HF).
    private let asciiStrip: Bool

    var isEmpty: Bool { entries.isEmpty }

    init(_ tokens: [AddedToken], asciiStrip: Bool) {
        let entries = tokens.filter { !$0.content.isEmpty }.map { Entry(token: $0, scalars: Array($0.content.unicodeScalars)) }
        var index: [UInt32: [Int]] = [:]
        var ascii = [Bool](repeating: false, count: 128)
        for (i, entry) in entries.enumerated() {
            let first = entry.scalars[0].value
            index[first, default: []].append(i)
            if first < 128 { ascii[Int(first)] = true }
        }
        for key in index.keys { index[key]!.sort { entries[$0].scalars.count > entries[$1].scalars.count } }
        self.entries = entries
        byFirstScalar = index
        asciiFirst = ascii
        self.asciiStrip = asciiStrip
    }

    /// Splits `range` of `s` into text and added tokens. With `parseSpecial` false, special
    /// tokens are left in the text.
    func split(_ s: [Unicode.Scalar], _ range: Range<Int>, parseSpecial: Bool) -> [TextSegment] {
        guard !entries.isEmpty else { return [.text(range)] }
        var result: [TextSegment] = []
        var textStart = range.lowerBound
        var i = range.lowerBound
        let end = range.upperBound
        while i < end {
            let first = s[i].value
            if first < 128 ? !asciiFirst[Int(first)] : byFirstScalar[first] == nil {
                i += 1
                continue
            }
            guard let entry = longestMatch(s, at: i, end: end, parseSpecial: parseSpecial) else {
                i += 1
                continue
            }
            var start = i
            var stop = i + entry.scalars.count
            if entry.token.singleWord {
                let wordBefore = start > range.lowerBound && ScalarClass.of(s[start - 1]).contains(.word)
                let wordAfter = stop < end && ScalarClass.of(s[stop]).contains(.word)
                if wordBefore || wordAfter {
                    i = stop
                    continue
                }
            }
            if entry.token.lstrip {
                while start > textStart, isStripSpace(s[start - 1]) { start -= 1 }
            }
            if entry.token.rstrip {
                while stop < end, isStripSpace(s[stop]) { stop += 1 }
            }
            if textStart < start { result.append(.text(textStart..<start)) }
            result.append(.token(entry.token.id))
            textStart = stop
            i = stop
        }
        if textStart < end { result.append(.text(textStart..<end)) }
        return result
    }

    private func longestMatch(_ s: [Unicode.Scalar], at i: Int, end: Int, parseSpecial: Bool) -> Entry? {
        guard let candidates = byFirstScalar[s[i].value] else { return nil }
        candidateLoop: for index in candidates {
            let entry = entries[index]
            if !parseSpecial && entry.token.special { continue }
            let count = entry.scalars.count
            guard i + count <= end else { continue }
            for k in 1..<count where s[i + k] != entry.scalars[k] { continue candidateLoop }
            return entry
        }
        return nil
    }

    private func isStripSpace(_ scalar: Unicode.Scalar) -> Bool {
        if asciiStrip {
            return scalar == " " || (0x09...0x0D).contains(scalar.value)
        }
        return scalar.isWhitespaceScalar
    }
}
