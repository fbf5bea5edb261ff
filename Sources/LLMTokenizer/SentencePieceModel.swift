/// llama.cpp's SentencePiece BPE (GGUF `tokenizer.ggml.model` = "llama"): a word starts as
/// one symbol per UTF-8 character; the adjacent pair whose concatenation is the vocabulary
/// token with the highest score merges first (the leftmost among equal scores), until no
/// pair forms a token. Characters left outside the vocabulary become `<0xNN>` byte tokens.
///
/// The pairs are precomputed: for every token, each split into two symbols (a token, or a
/// single character the vocabulary lacks) is a merge ranked by the token's score, so the
/// merge loop is the same as BPE's.
struct SentencePieceModel: Sendable {
    let vocab: Vocabulary
    let merges: MergeTable
    /// Single-scalar tokens.
    let scalarIDs: [UInt32: Int32]
    /// The token of each byte (`<0xNN>`, else the byte's own one-character token), -1 if none.
    let byteIDs: [Int32]
    /// Used for bytes without a byte token (llama.cpp would fail there).
    let unknownID: Int32?
    /// Symbols at or above this value are characters outside the vocabulary (value - base = scalar).
    private let outsideBase: Int32

    /// - Parameters:
    ///   - tokens: token texts by id (`▁` for spaces).
    ///   - scores: one score per token; higher merges first.
    init(tokens: [String], scores: [Float], unknownID: Int?) {
        var vocab = Vocabulary()
        vocab.reserveCapacity(tokens.count)
        for (id, token) in tokens.enumerated() { vocab[token] = id }
        self.vocab = vocab
        self.unknownID = unknownID.map { Int32($0) }
        outsideBase = Int32(tokens.count)
        var scalars: [UInt32: Int32] = [:]
        for (token, id) in vocab {
            var iterator = token.unicodeScalars.makeIterator()
            if let scalar = iterator.next(), iterator.next() == nil { scalars[scalar.value] = Int32(id) }
        }
        scalarIDs = scalars
        byteIDs = (0..<256).map { byte -> Int32 in
            if let id = vocab[ByteFallback.tokenName(UInt8(byte))] { return Int32(id) }
            if byte < 0x80, let id = vocab[String(Character(Unicode.Scalar(UInt8(byte))))] { return Int32(id) }
            return -1
        }
        // Rank = position in descending score order (equal scores share a rank).
        let order = vocab.values.sorted { scores[$0] > scores[$1] }
        var rank = [Int32](repeating: 0, count: tokens.count)
        var current: Int32 = -1
        var previous: Float?
        for id in order {
            if previous != scores[id] {
                current += 1
                previous = scores[id]
            }
            rank[id] = current
        }
        let base = outsideBase
        func symbol(_ text: String.UnicodeScalarView.SubSequence) -> Int32? {
            if let id = vocab[String(text)] { return Int32(id) }
            guard text.count == 1, let scalar = text.first else { return nil }
            return base + Int32(scalar.value)
        }
        var pairs: [(left: Int32, right: Int32, id: Int32)] = []
        for (token, id) in vocab {
            let scalars = token.unicodeScalars
            guard !scalars.isEmpty else { continue }
            var split = scalars.index(after: scalars.startIndex)
            while split < scalars.endIndex {
                if let left = symbol(scalars[..<split]), let right = symbol(scalars[split...]) {
                    pairs.append((left, right, Int32(id)))
                }
                split = scalars.index(after: split)
            }
        }
        var table = MergeTable(capacity: pairs.count)
        for pair in pairs {
            table.insert(left: pair.left, right: pair.right, rank: rank[Int(pair.id)], merged: pair.id, replace: false)
        }
        merges = table
    }

    /// Appends the ids of `word` (spaces already written as `▁`) to `output`.
    func encode(_ word: ArraySlice<Unicode.Scalar>, into output: inout [Int], workspace: inout BPEWorkspace) {
        guard !word.isEmpty else { return }
        workspace.reset()
        for scalar in word {
            workspace.append(scalarIDs[scalar.value] ?? outsideBase + Int32(scalar.value))
        }
        workspace.merge(merges)
        workspace.forEachSymbol { id in
            if id < outsideBase {
                output.append(Int(id))
                return
            }
            guard let scalar = Unicode.Scalar(UInt32(id - outsideBase)) else { return }
            UTF8.encode(scalar) { byte in
                let byteID = byteIDs[Int(byte)]
                if byteID >= 0 {
                    output.append(Int(byteID))
                } else if let unknownID {
                    output.append(Int(unknownID))
                }
            }
        }
    }
}
