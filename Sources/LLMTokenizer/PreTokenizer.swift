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
    /// HF `Metaspace`: spaces become `replacement`, which is put before pieces as `prepend`
    /// says; with `split`, every replacement starts a new piece.
    case metaspace(replacement: Unicode.Scalar, prepend: PrependScheme, split: Bool)
    /// HF `Punctuation`: every punctuation character is a match.
    case punctuation(SplitBehavior)
    /// HF `Whitespace`: runs of `\w` and runs of other non-space characters; spaces dropped.
    case whitespace
    /// HF `WhitespaceSplit`: runs of non-whitespace.
    case whitespaceSplit
}

/// When `Metaspace` puts its replacement character before a piece that lacks it.
enum PrependScheme: String, Sendable, Decodable {
    /// Before every piece.
    case always
    /// Before the piece that starts the input (HF).
    case first
    /// Never.
    case never
    /// Before the text at the start of the input and after every added token (llama.cpp's
    /// SentencePiece `add_space_prefix`).
    case afterAddedTokens
}

/// Where a stretch of text handed to the pre-tokenizer lies in the input.
struct SegmentContext {
    /// The text starts the input.
    var atInputStart: Bool
    /// The text comes right after an added token (or starts the input).
    var afterAddedToken: Bool
}

/// Splits text into the words that BPE encodes one by one. Pieces are ranges of a scalar
/// buffer; a step that inserts text (a prefix space) rebuilds the buffer.
struct PreTokenizer: Sendable, Equatable {
    var steps: [PreTokenizerStep]

    /// The pieces of `range` in order, as ranges of the returned buffer (the input, or a
    /// copy with inserted prefix spaces).
    func split(
        _ scalars: [Unicode.Scalar], _ range: Range<Int>, context: SegmentContext = .init(atInputStart: false, afterAddedToken: false)
    ) -> (buffer: [Unicode.Scalar], pieces: [Range<Int>]) {
        var buffer = scalars
        var pieces: [Range<Int>] = range.isEmpty ? [] : [range]
        // Where the input's first scalar now lies (pieces starting there start the input).
        var inputStart = context.atInputStart ? range.lowerBound : -1
        for step in steps {
            switch step {
            case let .split(pattern, behavior, invert):
                pieces = Self.apply(behavior, invert: invert, pieces: pieces) { piece in
                    Self.segments(buffer, piece) { pattern.nextMatch(buffer, from: $0, end: piece.upperBound) }
                }
            case let .digits(individual):
                pieces = Self.apply(individual ? .isolated : .contiguous, invert: false, pieces: pieces) { piece in
                    Self.segments(buffer, piece, scalarMatch: { $0.isNumberScalar })
                }
            case let .byteLevel(addPrefixSpace, useRegex):
                if addPrefixSpace {
                    (buffer, pieces) = Self.prefixing(" ", buffer, pieces) { buffer[$0.lowerBound] != " " }
                    if inputStart >= 0 { inputStart = 0 }
                }
                if useRegex {
                    pieces = Self.apply(.isolated, invert: false, pieces: pieces) { piece in
                        Self.segments(buffer, piece) { SplitPattern.gpt2.nextMatch(buffer, from: $0, end: piece.upperBound) }
                    }
                }
            case let .metaspace(replacement, prepend, split):
                for piece in pieces {
                    for i in piece where buffer[i] == " " { buffer[i] = replacement }
                }
                let start = inputStart
                let shouldPrepend: (Range<Int>) -> Bool
                switch prepend {
                case .always: shouldPrepend = { buffer[$0.lowerBound] != replacement }
                case .first: shouldPrepend = { $0.lowerBound == start && buffer[$0.lowerBound] != replacement }
                case .never: shouldPrepend = { _ in false }
                case .afterAddedTokens:
                    let first = pieces.first?.lowerBound
                    shouldPrepend = { context.afterAddedToken && $0.lowerBound == first }
                }
                if pieces.contains(where: shouldPrepend) {
                    (buffer, pieces) = Self.prefixing(replacement, buffer, pieces, shouldPrepend)
                    if inputStart >= 0 { inputStart = 0 }
                }
                if split {
                    pieces = Self.apply(.mergedWithNext, invert: false, pieces: pieces) { piece in
                        Self.segments(buffer, piece, scalarMatch: { $0 == replacement })
                    }
                }
            case let .punctuation(behavior):
                pieces = Self.apply(behavior, invert: false, pieces: pieces) { piece in
                    Self.segments(buffer, piece, scalarMatch: { $0.isHFPunctuation })
                }
            case .whitespace:
                pieces = Self.apply(.removed, invert: true, pieces: pieces) { piece in
                    Self.segments(buffer, piece) { from in
                        var i = from
                        while i < piece.upperBound, buffer[i].isWhitespaceScalar { i += 1 }
                        guard i < piece.upperBound else { return nil }
                        let word = ScalarClass.of(buffer[i]).contains(.word)
                        let stop = SplitPattern.run(buffer, from: i, end: piece.upperBound) {
                            let cls = ScalarClass.of($0)
                            return word ? cls.contains(.word) : cls.isDisjoint(with: [.word, .whitespace])
                        }
                        return i..<stop
                    }
                }
            case .whitespaceSplit:
                pieces = Self.apply(.removed, invert: false, pieces: pieces) { piece in
                    Self.segments(buffer, piece, scalarMatch: { $0.isWhitespaceScalar })
                }
            }
        }
        return (buffer, pieces)
    }

    /// Segments where every scalar satisfying `scalarMatch` is a match of its own.
    private static func segments(
        _ buffer: [Unicode.Scalar], _ piece: Range<Int>, scalarMatch: (Unicode.Scalar) -> Bool
    ) -> [(Range<Int>, Bool)] {
        segments(buffer, piece) { from in
            var i = from
            while i < piece.upperBound, !scalarMatch(buffer[i]) { i += 1 }
            return i < piece.upperBound ? i..<(i + 1) : nil
        }
    }

    /// The piece cut into (range, isMatch) segments that cover it: the successive leftmost
    /// matches that `nextMatch(from)` finds, the gaps between them as non-matches.
    private static func segments(
        _ buffer: [Unicode.Scalar], _ piece: Range<Int>, _ nextMatch: (Int) -> Range<Int>?
    ) -> [(Range<Int>, Bool)] {
        var result: [(Range<Int>, Bool)] = []
        var i = piece.lowerBound
        while i < piece.upperBound, let match = nextMatch(i), !match.isEmpty {
            if i < match.lowerBound { result.append((i..<match.lowerBound, false)) }
            result.append((match, true))
            i = match.upperBound
        }
        if i < piece.upperBound { result.append((i..<piece.upperBound, false)) }
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

    /// A copy of the buffer with `prefix` inserted before every piece that `shouldPrefix`
    /// selects, and the pieces moved accordingly.
    private static func prefixing(
        _ prefix: Unicode.Scalar, _ buffer: [Unicode.Scalar], _ pieces: [Range<Int>], _ shouldPrefix: (Range<Int>) -> Bool
    ) -> ([Unicode.Scalar], [Range<Int>]) {
        var newBuffer: [Unicode.Scalar] = []
        newBuffer.reserveCapacity(buffer.count + pieces.count)
        var newPieces: [Range<Int>] = []
        newPieces.reserveCapacity(pieces.count)
        for piece in pieces {
            let start = newBuffer.count
            if shouldPrefix(piece) { newBuffer.append(prefix) }
            newBuffer.append(contentsOf: buffer[piece])
            newPieces.append(start..<newBuffer.count)
        }
        return (newBuffer, newPieces)
    }
}
