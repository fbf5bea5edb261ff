import Foundation

/// Text normalization applied before pre-tokenization (HF `normalizer`).
enum Normalizer: Sendable, Equatable {
    /// No normalization.
    case none
    /// Unicode canonical composition (NFC).
    case nfc

    /// The normalized scalars of `text`.
    func apply(_ text: ArraySlice<Unicode.Scalar>) -> [Unicode.Scalar] {
        switch self {
        case .none:
            return Array(text)
        case .nfc:
            // Scalars below U+0300 never compose with their neighbours.
            guard text.contains(where: { $0.value >= 0x300 }) else { return Array(text) }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: text)
            return Array(String(view).precomposedStringWithCanonicalMapping.unicodeScalars)
        }
    }
}
