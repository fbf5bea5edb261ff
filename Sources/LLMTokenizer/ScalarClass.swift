/// Unicode character classes used by the pre-tokenizer scanners, from the general category
/// and the White_Space property of Swift's Unicode tables. Regex equivalents:
/// `\p{L}` letter, `\p{N}` number, `\s` whitespace, `\p{P}` punctuation, `\w` word.
struct ScalarClass: OptionSet, Sendable {
    let rawValue: UInt8

    static let letter = ScalarClass(rawValue: 1)
    static let number = ScalarClass(rawValue: 2)
    static let whitespace = ScalarClass(rawValue: 4)
    static let punctuation = ScalarClass(rawValue: 8)
    /// Rust regex's `\w`: Alphabetic, marks, decimal digits, connector punctuation, join controls.
    static let word = ScalarClass(rawValue: 16)

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
    /// `\r` or `\n`.
    @inline(__always) var isLineBreak: Bool { value == 0x0A || value == 0x0D }
}
