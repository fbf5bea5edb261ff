/// One merge rule of a BPE vocabulary: `left` followed by `right` becomes `left + right`.
struct MergeRule: Sendable, Equatable {
    var left: String
    var right: String
}

/// A BPE model: the vocabulary, the merge ranks, and the merge loop that turns one
/// pre-tokenized word into token ids. Byte-level models (GPT-2, Llama 3) start from one
/// symbol per UTF-8 byte; character-level models (SentencePiece-style, Llama 2, Mistral)
/// start from one symbol per Unicode scalar, with `<0xNN>` byte tokens for scalars the
/// vocabulary lacks (`byte_fallback`) or the unknown token.
struct BPEModel: Sendable {
    /// Token string to id (byte-level vocabularies spell bytes in the byte-level alphabet).
    let vocab: Vocabulary
    let merges: MergeTable
    /// Symbols are bytes (true) or Unicode scalars (false).
    let byteLevel: Bool
    /// The id of each single-byte token (byte-level), -1 where the vocabulary lacks it.
    let byteTokenIDs: [Int32]
    /// The ids of `<0x00>`...`<0xFF>` when `byte_fallback` is on (-1 where missing), else empty.
    let byteFallbackIDs: [Int32]
    /// Single-scalar tokens (character-level).
    let scalarIDs: [UInt32: Int32]
    /// Emit a word that is itself a vocabulary token as that token, without merging (Llama 3).
    let ignoreMerges: Bool
    /// Token for symbols outside the vocabulary; without one such symbols are dropped (as HF does).
    let unknownID: Int32?
    /// Consecutive unknown symbols become one unknown token.
    let fuseUnknown: Bool
    /// Put before every symbol but a word's first (character-level only).
    let continuingSubwordPrefix: String?
    /// Put after a word's last symbol (character-level only).
    let endOfWordSuffix: String?

    /// Builds the model; every merge must name two vocabulary tokens whose concatenation
    /// (less the right token's `continuingSubwordPrefix`) is also in the vocabulary.
    /// - Parameters:
    ///   - file, mergesField: where the merges came from, for errors (`model.merges`, `tokenizer.ggml.merges`).
    ///   - lastDuplicateWins: which of two identical merges keeps its rank (HF: the last; llama.cpp: the first).
    init(
        vocab: Vocabulary, merges: [MergeRule], byteLevel: Bool = true, byteFallback: Bool = false,
        ignoreMerges: Bool, unknownID: Int?, fuseUnknown: Bool, continuingSubwordPrefix: String? = nil,
        endOfWordSuffix: String? = nil, lastDuplicateWins: Bool, file: String, mergesField: String
    ) throws(TokenizerError) {
        self.vocab = vocab
        self.byteLevel = byteLevel
        self.ignoreMerges = ignoreMerges
        self.unknownID = unknownID.map { Int32($0) }
        self.fuseUnknown = fuseUnknown
        self.continuingSubwordPrefix = continuingSubwordPrefix.flatMap { $0.isEmpty ? nil : $0 }
        self.endOfWordSuffix = endOfWordSuffix.flatMap { $0.isEmpty ? nil : $0 }
        var bytes = [Int32](repeating: -1, count: 256)
        if byteLevel {
            for byte in 0..<256 {
                if let id = vocab[String(Character(ByteLevelAlphabet.scalarForByte[byte]))] { bytes[byte] = Int32(id) }
            }
        }
        byteTokenIDs = bytes
        var fallback: [Int32] = []
        if byteFallback {
            fallback = (0..<256).map { byte in vocab[ByteFallback.tokenName(UInt8(byte))].map { Int32($0) } ?? -1 }
        }
        byteFallbackIDs = fallback
        var scalars: [UInt32: Int32] = [:]
        if !byteLevel {
            for (token, id) in vocab {
                var iterator = token.unicodeScalars.makeIterator()
                if let scalar = iterator.next(), iterator.next() == nil { scalars[scalar.value] = Int32(id) }
            }
        }
        scalarIDs = scalars
        let prefixLength = self.continuingSubwordPrefix?.utf8.count ?? 0
        var table = MergeTable(capacity: merges.count)
        for (rank, merge) in merges.enumerated() {
            guard let left = vocab[merge.left] else {
                throw .unknownToken(file: file, field: "\(mergesField)[\(rank)]", token: merge.left)
            }
            guard let right = vocab[merge.right] else {
                throw .unknownToken(file: file, field: "\(mergesField)[\(rank)]", token: merge.right)
            }
            let rightPart = String(decoding: merge.right.utf8.dropFirst(prefixLength), as: UTF8.self)
            guard let merged = vocab[merge.left + rightPart] else {
                throw .unknownToken(file: file, field: "\(mergesField)[\(rank)]", token: merge.left + rightPart)
            }
            table.insert(
                left: Int32(left), right: Int32(right), rank: Int32(rank), merged: Int32(merged),
                replace: lastDuplicateWins)
        }
        self.merges = table
    }

    /// Appends the token ids of one word of a byte-level model (raw UTF-8 bytes) to `output`.
    func encodeWord(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout [Int], workspace: inout BPEWorkspace) {
        guard !bytes.isEmpty else { return }
        if bytes.count == 1, byteTokenIDs[Int(bytes[0])] >= 0 {
            output.append(Int(byteTokenIDs[Int(bytes[0])]))
            return
        }
        if ignoreMerges, let id = vocab[ByteLevelAlphabet.string(of: bytes)] {
            output.append(id)
            return
        }
        workspace.reset()
        var previousWasUnknown = false
        for byte in bytes {
            let id = byteTokenIDs[Int(byte)]
            if id >= 0 {
                workspace.append(id)
                previousWasUnknown = false
            } else if let unknownID {
                if !(fuseUnknown && previousWasUnknown) { workspace.append(unknownID) }
                previousWasUnknown = true
            }
        }
        workspace.merge(merges)
        workspace.emit(into: &output)
    }

    /// Appends the token ids of one word of a character-level model to `output`, with HF's
    /// rules for byte fallback and (fused) unknown tokens.
    func encodeWord(_ word: ArraySlice<Unicode.Scalar>, into output: inout [Int], workspace: inout BPEWorkspace) {
        guard !word.isEmpty else { return }
        if ignoreMerges, let id = vocab[Self.string(word)] {
            output.append(id)
            return
        }
        workspace.reset()
        let affixed = continuingSubwordPrefix != nil || endOfWordSuffix != nil
        var pendingUnknown = false
        for index in word.indices {
            let scalar = word[index]
            var id: Int32?
            var symbol = ""
            if affixed {
                if index != word.startIndex, let prefix = continuingSubwordPrefix { symbol += prefix }
                symbol.unicodeScalars.append(scalar)
                if index == word.endIndex - 1, let suffix = endOfWordSuffix { symbol += suffix }
                id = vocab[symbol].map { Int32($0) }
            } else {
                id = scalarIDs[scalar.value]
            }
            if let id {
                if pendingUnknown, let unknownID { workspace.append(unknownID) }
                pendingUnknown = false
                workspace.append(id)
                continue
            }
            if !byteFallbackIDs.isEmpty, appendFallback(affixed ? Array(symbol.utf8) : Self.utf8(scalar), &workspace) {
                continue
            }
            if let unknownID {
                if pendingUnknown && !fuseUnknown { workspace.append(unknownID) }
                pendingUnknown = true
            }
        }
        if pendingUnknown, let unknownID { workspace.append(unknownID) }
        workspace.merge(merges)
        workspace.emit(into: &output)
    }

    /// Adds the `<0xNN>` tokens of `bytes` if the vocabulary has all of them.
    private func appendFallback(_ bytes: [UInt8], _ workspace: inout BPEWorkspace) -> Bool {
        guard bytes.allSatisfy({ byteFallbackIDs[Int($0)] >= 0 }) else { return false }
        for byte in bytes { workspace.append(byteFallbackIDs[Int(byte)]) }
        return true
    }

    private static func utf8(_ scalar: Unicode.Scalar) -> [UInt8] {
        var bytes: [UInt8] = []
        UTF8.encode(scalar) { bytes.append($0) }
        return bytes
    }

    private static func string(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}

/// SentencePiece byte tokens: `<0x0A>` stands for the byte 0x0A.
enum ByteFallback {
    /// The token name of a byte (`<0x0A>`, upper-case hex digits).
    static func tokenName(_ byte: UInt8) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        return String(decoding: [0x3C, 0x30, 0x78, hex[Int(byte >> 4)], hex[Int(byte & 15)], 0x3E], as: UTF8.self)
    }

    /// The byte a token name stands for, nil unless it is exactly `<0xHH>` (either case).
    static func byte(ofTokenName name: String) -> UInt8? {
        let utf8 = Array(name.utf8)
        guard utf8.count == 6, utf8[0] == 0x3C, utf8[1] == 0x30, utf8[2] == 0x78, utf8[5] == 0x3E else { return nil }
        return UInt8(String(decoding: utf8[3..<5], as: UTF8.self), radix: 16)
    }
}
