/// The pattern of an HF `Replace` normalizer or decoder: a literal string, or a regex run
/// by Swift's regex engine on Unicode scalars (as HF's Oniguruma runs on characters).
enum TextPattern: Sendable, Equatable {
    case literal([Unicode.Scalar])
    case regex(CompiledRegex)

    /// Every non-overlapping occurrence of the pattern, leftmost first, replaced by `content`.
    func replacingAll(in scalars: [Unicode.Scalar], with content: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch self {
        case let .literal(pattern):
            guard let first = pattern.first, scalars.count >= pattern.count else { return scalars }
            var result: [Unicode.Scalar] = []
            result.reserveCapacity(scalars.count)
            var i = 0
            let count = pattern.count
            while i < scalars.count {
                if scalars[i] == first, i + count <= scalars.count, scalars[i..<(i + count)].elementsEqual(pattern) {
                    result.append(contentsOf: content)
                    i += count
                } else {
                    result.append(scalars[i])
                    i += 1
                }
            }
            return result
        case let .regex(compiled):
            return compiled.replacingAll(in: scalars, with: content)
        }
    }

    /// Replaces in UTF-8 bytes (for decoders, whose token pieces are bytes).
    func replacingAll(inUTF8 bytes: [UInt8], with content: [Unicode.Scalar]) -> [UInt8] {
        let text = String(decoding: bytes, as: UTF8.self)
        var view = String.UnicodeScalarView()
        view.append(contentsOf: replacingAll(in: Array(text.unicodeScalars), with: content))
        return Array(String(view).utf8)
    }
}

/// A regex compiled once at load; equal when the source is.
struct CompiledRegex: @unchecked Sendable, Equatable {
    /// The regex as written in `tokenizer.json`.
    let source: String
    // Regex values are immutable once built; matching does not mutate them.
    private let regex: Regex<AnyRegexOutput>

    /// Compiles `source`, nil when Swift's regex engine does not accept it.
    init?(_ source: String) {
        guard let regex = try? Regex(source) else { return nil }
        self.source = source
        self.regex = regex.matchingSemantics(.unicodeScalar)
    }

    static func == (lhs: CompiledRegex, rhs: CompiledRegex) -> Bool { lhs.source == rhs.source }

    func replacingAll(in scalars: [Unicode.Scalar], with content: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        let text = String(view)
        var result: [Unicode.Scalar] = []
        var position = text.startIndex
        for match in text.matches(of: regex) where !match.range.isEmpty {
            result.append(contentsOf: text.unicodeScalars[position..<match.range.lowerBound])
            result.append(contentsOf: content)
            position = match.range.upperBound
        }
        result.append(contentsOf: text.unicodeScalars[position...])
        return result
    }
}
