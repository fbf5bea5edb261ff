/// What a split does with the pieces its pattern matches (HF `SplitDelimiterBehavior`).
enum SplitBehavior: String, Sendable, Decodable {
    case removed = "Removed"
    case isolated = "Isolated"
    case mergedWithPrevious = "MergedWithPrevious"
    case mergedWithNext = "MergedWithNext"
    case contiguous = "Contiguous"
}

/// One stage of a pre-tokenizer pipeline.
enum PreTokenizerStep: Sendable, Equatable {
    /// HF `Split` (and each regex of llama.cpp's list, which behaves as `Isolated`).
    case split(SplitPattern, SplitBehavior, invert: Bool)
    /// HF `Digits`: every number character alone (`individual`), or runs of them.
    case digits(individual: Bool)
    /// HF `ByteLevel`: optional space before every piece that lacks one, then the GPT-2
    /// regex when `useRegex`. (The byte mapping itself happens in the BPE model.)
    case byteLevel(addPrefixSpace: Bool, useRegex: Bool)
}

/// Splits text into the words that BPE encodes one by one. Pieces are ranges of a scalar
/// buffer; a step that inserts text (a prefix space) rebuilds the buffer.
struct PreTokenizer: Sendable, Equatable {
    var steps: [PreTokenizerStep]

    /// The pieces of `range` in order, as ranges of the returned buffer (the input, or a
    /// copy with inserted prefix spaces).
    func split(_ scalars: [Unicode.Scalar], _ range: Range<Int>) -> (buffer: [Unicode.Scalar], pieces: [Range<Int>]) {
        var buffer = scalars
        var pieces: [Range<Int>] = range.isEmpty ? [] : [range]
        for step in steps {
            switch step {
            case let .split(pattern, behavior, invert):
                pieces = Self.apply(behavior, invert: invert, pieces: pieces) { piece in
                    Self.segments(buffer, piece) { pattern.matchLength(buffer, at: $0, end: piece.upperBound) }
                }
            case let .digits(individual):
                pieces = Self.apply(individual ? .isolated : .contiguous, invert: false, pieces: pieces) { piece in
                    Self.segments(buffer, piece) { buffer[$0].isNumberScalar ? 1 : 0 }
                }
            case let .byteLevel(addPrefixSpace, useRegex):
                if addPrefixSpace { (buffer, pieces) = Self.prefixingSpaces(buffer, pieces) }
                if useRegex {
                    pieces = Self.apply(.isolated, invert: false, pieces: pieces) { piece in
                        Self.segments(buffer, piece) { SplitPattern.gpt2.matchLength(buffer, at: $0, end: piece.upperBound) }
                    }
                }
            }
        }
        return (buffer, pieces)
    }

    /// The piece cut into (range, isMatch) segments that cover it: matches where
    /// `matchLength` is positive, the gaps between them as non-matches.
    private static func segments(
        _ buffer: [Unicode.Scalar], _ piece: Range<Int>, _ matchLength: (Int) -> Int
    ) -> [(Range<Int>, Bool)] {
        var result: [(Range<Int>, Bool)] = []
        var gapStart = piece.lowerBound
        var i = piece.lowerBound
        while i < piece.upperBound {
            let length = matchLength(i)
            if length > 0 {
                if gapStart < i { result.append((gapStart..<i, false)) }
                result.append((i..<(i + length), true))
                i += length
                gapStart = i
            } else {
                i += 1
            }
        }
        if gapStart < piece.upperBound { result.append((gapStart..<piece.upperBound, false)) }
        return result
    }

    /// HF's `NormalizedString::split`: segments each piece, then keeps, drops or merges
    /// matches as `behavior` says. Empty pieces are dropped.
    private static func apply(
        _ behavior: SplitBehavior, invert: Bool, pieces: [Range<Int>],
        _ segment: (Range<Int>) -> [(Range<Int>, Bool)]
    ) -> [Range<Int>] {
        var output: [Range<Int>] = []
        output.reserveCapacity(pieces.count * 2)
        for piece in pieces {
            var parts = segment(piece)
            if invert { parts = parts.map { ($0.0, !$0.1) } }
            switch behavior {
            case .isolated:
                output.append(contentsOf: parts.map(\.0))
            case .removed:
                output.append(contentsOf: parts.filter { !$0.1 }.map(\.0))
            case .mergedWithPrevious:
                var merged: [Range<Int>] = []
                var previousMatch = false
                for (range, isMatch) in parts {
                    if isMatch && !previousMatch, let last = merged.last {
                        merged[merged.count - 1] = last.lowerBound..<range.upperBound
                    } else {
                        merged.append(range)
                    }
                    previousMatch = isMatch
                }
                output.append(contentsOf: merged)
            case .mergedWithNext:
                var merged: [Range<Int>] = []
                var previousMatch = false
                for (range, isMatch) in parts.reversed() {
                    if isMatch && !previousMatch, let last = merged.last {
                        merged[merged.count - 1] = range.lowerBound..<last.upperBound
                    } else {
                        merged.append(range)
                    }
                    previousMatch = isMatch
                }
                output.append(contentsOf: merged.reversed())
            case .contiguous:
                var merged: [Range<Int>] = []
                var previousMatch = false
                for (range, isMatch) in parts {
                    if isMatch == previousMatch, let last = merged.last {
                        merged[merged.count - 1] = last.lowerBound..<range.upperBound
                    } else {
                        merged.append(range)
                    }
                    previousMatch = isMatch
                }
                output.append(contentsOf: merged)
            }
        }
        return output.filter { !$0.isEmpty }
    }

    /// A copy of the buffer with a space inserted before every piece that does not start
    /// with one, and the pieces moved accordingly.
    private static func prefixingSpaces(
        _ buffer: [Unicode.Scalar], _ pieces: [Range<Int>]
    ) -> ([Unicode.Scalar], [Range<Int>]) {
        var newBuffer: [Unicode.Scalar] = []
        newBuffer.reserveCapacity(buffer.count + pieces.count)
        var newPieces: [Range<Int>] = []
        newPieces.reserveCapacity(pieces.count)
        for piece in pieces {
            let start = newBuffer.count
            if buffer[piece.lowerBound] != " " { newBuffer.append(" ") }
            newBuffer.append(contentsOf: buffer[piece])
            newPieces.append(start..<newBuffer.count)
        }
        return (newBuffer, newPieces)
    }
}
