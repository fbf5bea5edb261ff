/// Unicode character classes used by the pre-tokenizer scanners, from the general category
/// and the White_Space property of Swift's Unicode tables. Regex equivalents:
/// `\p{L}` letter, `\p{N}` number, `\s` whitespace, `\p{P}` punctuation, `\w` word,
/// `\p{M}` mark, `\p{S}` symbol.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = ScalarClass(rawValue: 1)
    static let number = ScalarClass(rawValue: 2)
    static let whitespace = ScalarClass(rawValue: 4)
    static let punctuation = ScalarClass(rawValue: 8)
    /// Rust regex's `\w`: Alphabetic, marks, decimal digits, connector punctuation, join controls.
    static let word = ScalarClass(rawValue: 16)
    /// `\p{M}`: nonspacing, spacing and enclosing marks.
    static let mark = ScalarClass(rawValue: 32)
    /// `\p{S}`: math, currency, modifier and other symbols.
    static let symbol = ScalarClass(rawValue: 64)

    /// Classes of the Basic Multilingual Plane, computed once (64 KiB).
    private static let bmp: [UInt8] = (0..<0x10000).map { value -> UInt8 in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return 0 }
        return compute(scalar).rawValue
    }

    /// The classes of `scalar`.
    @inline(__always)
    static func of(_ scalar: Unicode.Scalar) -> ScalarClass {
        let value = scalar.value
        if value < 0x10000 { return ScalarClass(rawValue: bmp[Int(value)]) }
        return compute(scalar)
    }

    private static func compute(_ scalar: Unicode.Scalar) -> ScalarClass {
        let properties = scalar.properties
        var result: ScalarClass = []
        if properties.isWhitespace { result.insert(.whitespace) }
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter:
            result.insert(.letter)
        case .decimalNumber, .letterNumber, .otherNumber:
            result.insert(.number)
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            result.insert(.punctuation)
        case .nonspacingMark, .spacingMark, .enclosingMark:
            result.insert(.mark)
        case .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
            result.insert(.symbol)
        default:
            break
        }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation:
            result.insert(.word)
        default:
            if properties.isAlphabetic || properties.isJoinControl { result.insert(.word) }
        }
        return result
    }
}

extension Unicode.Scalar {
    /// `\p{L}`.
    @inline(__always) var isLetterScalar: Bool { ScalarClass.of(self).contains(.letter) }
    /// `\p{N}`.
    @inline(__always) var isNumberScalar: Bool { ScalarClass.of(self).contains(.number) }
    /// `\s` (Unicode White_Space).
    @inline(__always) var isWhitespaceScalar: Bool { ScalarClass.of(self).contains(.whitespace) }
    /// `\p{P}`.
    @inline(__always) var isPunctuationScalar: Bool { ScalarClass.of(self).contains(.punctuation) }
    /// HF's punctuation: ASCII punctuation (symbols such as `$` and `+` included) or `\p{P}`.
    @inline(__always) var isHFPunctuation: Bool {
        if value < 0x80 {
            return (0x21...0x2F).contains(value) || (0x3A...0x40).contains(value) || (0x5B...0x60).contains(value)
                || (0x7B...0x7E).contains(value)
        }
        return isPunctuationScalar
    }
    /// `\r` or `\n`.
    @inline(__always) var isLineBreak: Bool { value == 0x0A || value == 0x0D }
}
