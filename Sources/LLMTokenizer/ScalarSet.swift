/// A set of Unicode scalars for the split scanners: a regex character class written as
/// ranges (`[A-Za-zµÀ-Ö]`), or a Unicode category.
enum ScalarSet: Sendable, Equatable {
    /// Sorted, non-overlapping inclusive ranges of scalar values.
    case ranges([ClosedRange<UInt32>])
    /// `\p{L}`.
    case letters
    /// `\p{P}`.
    case punctuation

    /// The set of a bracket expression's contents (`A-Za-z…`, no escapes, no negation).
    init(bracketContents text: String) {
        let scalars = Array(text.unicodeScalars)
        var ranges: [ClosedRange<UInt32>] = []
        var i = 0
        while i < scalars.count {
            let low = scalars[i].value
            if i + 2 < scalars.count, scalars[i + 1] == "-" {
                ranges.append(low...max(low, scalars[i + 2].value))
                i += 3
            } else {
                ranges.append(low...low)
                i += 1
            }
        }
        ranges.sort { $0.lowerBound < $1.lowerBound }
        var merged: [ClosedRange<UInt32>] = []
        for range in ranges {
            if let last = merged.last, range.lowerBound <= last.upperBound &+ 1 {
                merged[merged.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
            } else {
                merged.append(range)
            }
        }
        self = .ranges(merged)
    }

    /// Whether `scalar` is in the set.
    @inline(__always)
    func contains(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .letters: return scalar.isLetterScalar
        case .punctuation: return scalar.isPunctuationScalar
        case let .ranges(ranges): return Self.search(ranges, scalar.value)
        }
    }

    private static func search(_ ranges: [ClosedRange<UInt32>], _ value: UInt32) -> Bool {
        var low = 0
        var high = ranges.count
        while low < high {
            let mid = (low + high) / 2
            let range = ranges[mid]
            if value < range.lowerBound {
                high = mid
            } else if value > range.upperBound {
                low = mid + 1
            } else {
                return true
            }
        }
        return false
    }
}
