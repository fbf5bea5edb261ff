/// A split regex, implemented as a hand-written scanner over Unicode scalars that gives
/// exactly the matches of the regex (leftmost match, alternatives tried in order, the
/// backtracking of `\s+(?!\S)` and `\s*[\r\n]+` included). Only regexes listed in
/// `init?(regex:)` are recognised; anything else is a load error.
enum SplitPattern: Sendable, Equatable {
    /// GPT-2: `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`.
    case gpt2
    /// Llama 3 (`maxDigits` 3) and Qwen2 (`maxDigits` 1):
    /// `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`.
    /// `foldLongS`: HF's Oniguruma case folding also matches U+017F (ſ) for `s`;
    /// llama.cpp's rewrite (`'[sS]|...`) does not.
    case llama3(maxDigits: Int, foldLongS: Bool)
    /// llama.cpp's punctuation runs: `[\p{P}\$\+<=>\^~\|`]+` (falcon) or without the backtick (default).
    case punctuationRun(includeBacktick: Bool)
    /// `\p{N}+`.
    case numberRun
    /// `\p{N}` (one number character).
    case number
    /// `[0-9][0-9][0-9]`.
    case threeASCIIDigits
    /// A literal string (`Split` with a `String` pattern).
    case literal([Unicode.Scalar])
    /// `\p{N}{1,n}`: runs of number characters cut into chunks of at most `n`.
    case numberChunks(Int)
    /// `[\r\n]`: one line break.
    case lineBreak
    /// `[set]+`: a run of the set.
    case run(ScalarSet)
    /// `\s?[set]+`: a run of the set, with one whitespace scalar before it.
    case spacedRun(ScalarSet)
    /// `\s+$`: the whitespace that ends the piece.
    case trailingWhitespace
    /// DeepSeek V3's main regex (see `SplitPattern.deepSeekV3Regex`).
    case deepSeekV3

    static let gpt2Regex = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    static let llama3Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#
    static let qwen2Regex =
        #"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"#

    /// The scanner for a regex from `tokenizer.json`, nil when the regex is not one we know.
    /// Line breaks may be written as escapes or as the characters themselves.
    init?(regex: String) {
        if let known = Self.deepSeek(regex: Self.escapingLineBreaks(regex)) {
            self = known
            return
        }
        switch regex {
        case Self.gpt2Regex: self = .gpt2
        case Self.llama3Regex: self = .llama3(maxDigits: 3, foldLongS: true)
        case Self.qwen2Regex: self = .llama3(maxDigits: 1, foldLongS: true)
        case #"\p{N}"#: self = .number
        case #"\p{N}+"#: self = .numberRun
        case #"[0-9][0-9][0-9]"#: self = .threeASCIIDigits
        case #"\p{N}{1,3}"#: self = .numberChunks(3)
        default: return nil
        }
    }

    /// The leftmost match in `from..<end`, nil if none.
    func nextMatch(_ s: [Unicode.Scalar], from: Int, end: Int) -> Range<Int>? {
        if case .trailingWhitespace = self {
            var start = end
            while start > from, s[start - 1].isWhitespaceScalar { start -= 1 }
            return start < end ? start..<end : nil
        }
        var i = from
        while i < end {
            let length = matchLength(s, at: i, end: end)
            if length > 0 { return i..<(i + length) }
            i += 1
        }
        return nil
    }

    /// Length in scalars of the match that starts at `i` (before `end`), 0 if none.
    func matchLength(_ s: [Unicode.Scalar], at i: Int, end: Int) -> Int {
        switch self {
        case .gpt2: return Self.gpt2Match(s, i, end)
        case let .llama3(maxDigits, foldLongS): return Self.llama3Match(s, i, end, maxDigits, foldLongS)
        case let .punctuationRun(includeBacktick):
            var j = i
            while j < end, Self.isPunctuationRunMember(s[j], includeBacktick) { j += 1 }
            return j - i
        case .numberRun:
            return Self.run(s, from: i, end: end) { $0.isNumberScalar } - i
        case .number:
            return s[i].isNumberScalar ? 1 : 0
        case .threeASCIIDigits:
            guard i + 3 <= end else { return 0 }
            for k in i..<(i + 3) where !(0x30...0x39).contains(s[k].value) { return 0 }
            return 3
        case let .literal(text):
            guard !text.isEmpty, i + text.count <= end else { return 0 }
            for (k, scalar) in text.enumerated() where s[i + k] != scalar { return 0 }
            return text.count
        case let .numberChunks(limit):
            var j = i
            while j < end, j - i < limit, s[j].isNumberScalar { j += 1 }
            return j - i
        case .lineBreak:
            return s[i].isLineBreak ? 1 : 0
        case let .run(set):
            return Self.run(s, from: i, end: end) { set.contains($0) } - i
        case let .spacedRun(set):
            var start = i
            if s[i].isWhitespaceScalar, i + 1 < end, set.contains(s[i + 1]) { start = i + 1 }
            return Self.run(s, from: start, end: end) { set.contains($0) } - i
        case .trailingWhitespace:
            let r = Self.run(s, from: i, end: end) { $0.isWhitespaceScalar }
            return r == end ? r - i : 0
        case .deepSeekV3:
            return Self.deepSeekV3Match(s, i, end)
        }
    }

    // MARK: - Scanners

    /// First index at or after `from` (before `end`) whose scalar fails `member`.
    @inline(__always)
    static func run(_ s: [Unicode.Scalar], from: Int, end: Int, _ member: (Unicode.Scalar) -> Bool) -> Int {
        var j = from
        while j < end, member(s[j]) { j += 1 }
        return j
    }

    /// `[^\s\p{L}\p{N}]`.
    @inline(__always)
    private static func isOther(_ scalar: Unicode.Scalar) -> Bool {
        ScalarClass.of(scalar).isDisjoint(with: [.letter, .number, .whitespace])
    }

    private static func isPunctuationRunMember(_ scalar: Unicode.Scalar, _ includeBacktick: Bool) -> Bool {
        switch scalar {
        case "$", "+", "<", "=", ">", "^", "~", "|": return true
        case "`": return includeBacktick
        default: return ScalarClass.of(scalar).contains(.punctuation)
        }
    }

    /// `\s+(?!\S)|\s+` at a whitespace scalar: the whole run when it reaches the end or is
    /// one scalar long, else the run less its last scalar (which then leads the next piece).
    @inline(__always)
    static func whitespaceMatch(_ s: [Unicode.Scalar], _ i: Int, _ end: Int) -> Int {
        let r = run(s, from: i, end: end) { $0.isWhitespaceScalar }
        if r == end || r - i == 1 { return r - i }
        return r - i - 1
    }

    private static func gpt2Match(_ s: [Unicode.Scalar], _ i: Int, _ end: Int) -> Int {
        let c = s[i]
        if c == "'", i + 1 < end {
            let n = s[i + 1]
            if n == "s" || n == "t" || n == "m" || n == "d" { return 2 }
            if i + 2 < end {
                let n2 = s[i + 2]
                if (n == "r" && n2 == "e") || (n == "v" && n2 == "e") || (n == "l" && n2 == "l") { return 3 }
            }
        }
        // ` ?X+` for X in letters, numbers, other: the optional space only helps when the
        // next scalar starts the run.
        var start = i
        var cls = ScalarClass.of(c)
        if c == " ", i + 1 < end {
            let next = ScalarClass.of(s[i + 1])
            if !next.contains(.whitespace) {
                start = i + 1
                cls = next
            }
        }
        if cls.contains(.letter) { return run(s, from: start, end: end) { $0.isLetterScalar } - i }
        if cls.contains(.number) { return run(s, from: start, end: end) { $0.isNumberScalar } - i }
        if !cls.contains(.whitespace) { return run(s, from: start, end: end) { isOther($0) } - i }
        return whitespaceMatch(s, i, end)
    }

    /// ASCII-lowercased scalar value; with `foldLongS`, U+017F counts as "s".
    @inline(__always)
    private static func folded(_ scalar: Unicode.Scalar, _ foldLongS: Bool) -> UInt32 {
        let v = scalar.value
        if v >= 0x41 && v <= 0x5A { return v + 0x20 }
        if foldLongS && v == 0x17F { return 0x73 }
        return v
    }

    private static func llama3Match(
        _ s: [Unicode.Scalar], _ i: Int, _ end: Int, _ maxDigits: Int, _ foldLongS: Bool
    ) -> Int {
        let c = s[i]
        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if c == "'", i + 1 < end {
            let n = folded(s[i + 1], foldLongS)
            if n == 0x73 || n == 0x74 || n == 0x6D || n == 0x64 { return 2 }  // s t m d
            if i + 2 < end {
                let n2 = folded(s[i + 2], foldLongS)
                if (n == 0x72 && n2 == 0x65) || (n == 0x76 && n2 == 0x65) || (n == 0x6C && n2 == 0x6C) {
                    return 3  // re ve ll
                }
            }
        }
        let cls = ScalarClass.of(c)
        // [^\r\n\p{L}\p{N}]?\p{L}+
        if cls.contains(.letter) { return run(s, from: i, end: end) { $0.isLetterScalar } - i }
        if !cls.contains(.number), !c.isLineBreak, i + 1 < end, s[i + 1].isLetterScalar {
            return run(s, from: i + 1, end: end) { $0.isLetterScalar } - i
        }
        // \p{N}{1,maxDigits}
        if cls.contains(.number) {
            var j = i + 1
            while j < end, j - i < maxDigits, s[j].isNumberScalar { j += 1 }
            return j - i
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var start = i
        if c == " ", i + 1 < end, isOther(s[i + 1]) { start = i + 1 }
        if isOther(s[start]) {
            let others = run(s, from: start, end: end) { isOther($0) }
            return run(s, from: others, end: end) { $0.isLineBreak } - i
        }
        // Here c is whitespace. \s*[\r\n]+ : up to and including the run's last line break.
        let r = run(s, from: i, end: end) { $0.isWhitespaceScalar }
        var k = r - 1
        while k >= i, !s[k].isLineBreak { k -= 1 }
        if k >= i { return k + 1 - i }
        // \s+(?!\S)|\s+
        return whitespaceMatch(s, i, end)
    }
}
