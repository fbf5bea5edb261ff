/// The split regexes of the DeepSeek tokenizers (deepseek-llm, deepseek-coder, DeepSeek V3)
/// and the simple regex shapes they are made of.
extension SplitPattern {
    /// deepseek-llm's cased-letter class (canonical singletons such as U+1F7D are escaped
    /// so that no editor's normalization can change them).
    static let deepSeekLetters =
        "A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u{1f7d}ᾀ-ᾴᾶ-ᾼ\u{1fbe}ῂ-ῄῆ-ῌῐ-\u{1fd3}ῖ-\u{1fdb}ῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u{2126}ℨ\u{212a}-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃"
    /// deepseek-llm's punctuation class (ASCII `:-~` includes the letters).
    static let deepSeekPunctuation = "!-/:-~！-／：-～‘-‟　-。"
    /// deepseek-llm / deepseek-coder CJK class.
    static let deepSeekCJK = "一-龥ࠀ-一가-퟿"
    /// DeepSeek V3's CJK class.
    static let deepSeekV3CJK = "一-龥぀-ゟ゠-ヿ"
    /// DeepSeek V3's main regex.
    static let deepSeekV3Regex =
        ##"[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"##

    /// llama.cpp's `deepseek-llm` regex list.
    static let deepSeekLLMSteps: [SplitPattern] = [
        .lineBreak, .spacedRun(ScalarSet(bracketContents: deepSeekLetters)),
        .spacedRun(ScalarSet(bracketContents: deepSeekPunctuation)), .trailingWhitespace,
        .run(ScalarSet(bracketContents: deepSeekCJK)), .numberRun,
    ]
    /// llama.cpp's `deepseek-coder` regex list.
    static let deepSeekCoderSteps: [SplitPattern] = [
        .lineBreak, .spacedRun(.letters), .spacedRun(.punctuation), .run(ScalarSet(bracketContents: deepSeekCJK)),
        .number,
    ]
    /// llama.cpp's `deepseek-v3` regex list.
    static let deepSeekV3Steps: [SplitPattern] = [
        .numberChunks(3), .run(ScalarSet(bracketContents: deepSeekV3CJK)), .deepSeekV3,
    ]

    /// `regex` with line-break characters written as `\r` / `\n` escapes.
    static func escapingLineBreaks(_ regex: String) -> String {
        regex.replacingOccurrences(of: "\r", with: #"\r"#).replacingOccurrences(of: "\n", with: #"\n"#)
    }

    /// The scanners for the regex shapes DeepSeek uses: `[\r\n]`, `\s+$`, `\s?\p{L}+`,
    /// `\s?\p{P}+`, `\s?[class]+`, `[class]+` (classes of literal scalars and ranges) and
    /// V3's main regex.
    static func deepSeek(regex: String) -> SplitPattern? {
        switch regex {
        case #"[\r\n]"#: return .lineBreak
        case #"\s+$"#: return .trailingWhitespace
        case #"\s?\p{L}+"#: return .spacedRun(.letters)
        case #"\s?\p{P}+"#: return .spacedRun(.punctuation)
        case deepSeekV3Regex: return .deepSeekV3
        default: break
        }
        var body = Substring(regex)
        let spaced = body.hasPrefix(#"\s?"#)
        if spaced { body = body.dropFirst(3) }
        guard body.hasPrefix("["), body.hasSuffix("]+"), body.count > 3 else { return nil }
        let contents = body.dropFirst().dropLast(2)
        guard !contents.hasPrefix("^"), !contents.contains(where: { "\\[]".contains($0) }) else { return nil }
        let set = ScalarSet(bracketContents: String(contents))
        return spaced ? .spacedRun(set) : .run(set)
    }

    /// `[!-/:-@\[-`{-~]` (the ASCII punctuation characters).
    @inline(__always)
    private static func isASCIIPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value
        return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v)
            || (0x7B...0x7E).contains(v)
    }

    @inline(__always)
    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        let v = scalar.value | 0x20
        return v >= 0x61 && v <= 0x7A
    }

    static func deepSeekV3Match(_ s: [Unicode.Scalar], _ i: Int, _ end: Int) -> Int {
        let c = s[i]
        // [ASCII punctuation][A-Za-z]+
        if isASCIIPunctuation(c), i + 1 < end, isASCIILetter(s[i + 1]) {
            return run(s, from: i + 1, end: end) { isASCIILetter($0) } - i
        }
        let cls = ScalarClass.of(c)
        let letterOrMark: ScalarClass = [.letter, .mark]
        // [^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+
        if !c.isLineBreak, cls.isDisjoint(with: [.letter, .punctuation, .symbol]), i + 1 < end,
            !ScalarClass.of(s[i + 1]).isDisjoint(with: letterOrMark)
        {
            return run(s, from: i + 1, end: end) { !ScalarClass.of($0).isDisjoint(with: letterOrMark) } - i
        }
        if !cls.isDisjoint(with: letterOrMark) {
            return run(s, from: i, end: end) { !ScalarClass.of($0).isDisjoint(with: letterOrMark) } - i
        }
        // ` ?[\p{P}\p{S}]+[\r\n]*`
        let punctuationOrSymbol: ScalarClass = [.punctuation, .symbol]
        var start = i
        if c == " ", i + 1 < end, !ScalarClass.of(s[i + 1]).isDisjoint(with: punctuationOrSymbol) { start = i + 1 }
        if !ScalarClass.of(s[start]).isDisjoint(with: punctuationOrSymbol) {
            let others = run(s, from: start, end: end) { !ScalarClass.of($0).isDisjoint(with: punctuationOrSymbol) }
            return run(s, from: others, end: end) { $0.isLineBreak } - i
        }
        guard cls.contains(.whitespace) else { return 0 }
        // \s*[\r\n]+ : up to and including the run's last line break.
        let r = run(s, from: i, end: end) { $0.isWhitespaceScalar }
        var k = r - 1
        while k >= i, !s[k].isLineBreak { k -= 1 }
        if k >= i { return k + 1 - i }
        // \s+(?!\S)|\s+
        return whitespaceMatch(s, i, end)
    }
}
