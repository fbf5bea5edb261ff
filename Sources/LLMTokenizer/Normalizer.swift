import Foundation

/// One text normalization step (an HF `normalizer`, or one element of its `Sequence`).
enum NormalizerStep: Sendable, Equatable {
    /// Unicode normalization forms.
    case nfc, nfd, nfkc, nfkd
    /// Each scalar replaced by its full lowercase mapping (no context rules, as HF).
    case lowercase
    /// Combining marks (`\p{M}`) removed.
    case stripAccents
    /// Whitespace removed from the left and/or right end.
    case strip(left: Bool, right: Bool)
    /// Text put before a non-empty input.
    case prepend([Unicode.Scalar])
    /// Every occurrence of a pattern replaced by `content`.
    case replace(TextPattern, [Unicode.Scalar])
}

/// Text normalization applied to ordinary text before pre-tokenization (HF `normalizer`):
/// the steps in order.
struct Normalizer: Sendable, Equatable {
    var steps: [NormalizerStep] = []

    /// No normalization.
    static let none = Normalizer()

    var isEmpty: Bool { steps.isEmpty }

    /// The normalized scalars of `text`.
    func apply(_ text: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        var scalars = Array(text)
        for step in steps { scalars = Self.apply(step, scalars) }
        return scalars
    }

    private static func apply(_ step: NormalizerStep, _ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        switch step {
        case .nfc:
            // Scalars below U+0300 never compose with their neighbours.
            guard scalars.contains(where: { $0.value >= 0x300 }) else { return scalars }
            return Array(string(scalars).precomposedStringWithCanonicalMapping.unicodeScalars)
        case .nfd:
            guard scalars.contains(where: { $0.value >= 0xC0 }) else { return scalars }
            return Array(string(scalars).decomposedStringWithCanonicalMapping.unicodeScalars)
        case .nfkc:
            guard scalars.contains(where: { $0.value >= 0xA0 }) else { return scalars }
            return Array(string(scalars).precomposedStringWithCompatibilityMapping.unicodeScalars)
        case .nfkd:
            guard scalars.contains(where: { $0.value >= 0xA0 }) else { return scalars }
            return Array(string(scalars).decomposedStringWithCompatibilityMapping.unicodeScalars)
        case .lowercase:
            var result: [Unicode.Scalar] = []
            result.reserveCapacity(scalars.count)
            for scalar in scalars {
                if scalar.value < 0x80 {
                    let v = scalar.value
                    result.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : scalar)
                } else {
                    result.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
                }
            }
            return result
        case .stripAccents:
            return scalars.filter { !ScalarClass.of($0).contains(.mark) }
        case let .strip(left, right):
            var low = 0
            var high = scalars.count
            if left { while low < high, scalars[low].isWhitespaceScalar { low += 1 } }
            if right { while high > low, scalars[high - 1].isWhitespaceScalar { high -= 1 } }
            return Array(scalars[low..<high])
        case let .prepend(prefix):
            return scalars.isEmpty ? scalars : prefix + scalars
        case let .replace(pattern, content):
            return pattern.replacingAll(in: scalars, with: content)
        }
    }

    private static func string(_ scalars: [Unicode.Scalar]) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
