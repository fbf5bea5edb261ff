/// One merge rule of a BPE vocabulary: `left` followed by `right` becomes `left + right`.
struct MergeRule: Sendable, Equatable {
    var left: String
    var right: String
}

/// A byte-level BPE model: the vocabulary, the merge ranks, and the merge loop that turns
/// the bytes of one pre-tokenized word into token ids.
struct BPEModel: Sendable {
    /// Token string (byte-level alphabet) to id.
    let vocab: [String: Int]
    /// The id of each single-byte token, -1 where the vocabulary lacks it.
    let byteTokenIDs: [Int32]
    let merges: MergeTable
    /// Emit a word that is itself a vocabulary token as that token, without merging (Llama 3).
    let ignoreMerges: Bool
    /// Token for bytes outside the vocabulary; without one such bytes are dropped (as HF does).
    let unknownID: Int32?
    /// Consecutive unknown bytes become one unknown token.
    let fuseUnknown: Bool

    /// Builds the model; every merge must name two vocabulary tokens whose concatenation
    /// is also in the vocabulary.
    /// - Parameters:
    ///   - file, mergesField: where the merges came from, for errors (`model.merges`, `tokenizer.ggml.merges`).
    ///   - lastDuplicateWins: which of two identical merges keeps its rank (HF: the last; llama.cpp: the first).
    init(
        vocab: [String: Int], merges: [MergeRule], ignoreMerges: Bool, unknownID: Int?, fuseUnknown: Bool,
        lastDuplicateWins: Bool, file: String, mergesField: String
    ) throws(TokenizerError) {
        self.vocab = vocab
        self.ignoreMerges = ignoreMerges
        self.unknownID = unknownID.map { Int32($0) }
        self.fuseUnknown = fuseUnknown
        var bytes = [Int32](repeating: -1, count: 256)
        for byte in 0..<256 {
            if let id = vocab[String(Character(ByteLevelAlphabet.scalarForByte[byte]))] { bytes[byte] = Int32(id) }
        }
        byteTokenIDs = bytes
        var table = MergeTable(capacity: merges.count)
        for (rank, merge) in merges.enumerated() {
            guard let left = vocab[merge.left] else {
                throw .unknownToken(file: file, field: "\(mergesField)[\(rank)]", token: merge.left)
            }
            guard let right = vocab[merge.right] else {
                throw .unknownToken(file: file, field: "\(mergesField)[\(rank)]", token: merge.right)
            }
            guard let merged = vocab[merge.left + merge.right] else {
                throw .unknownToken(file: file, field: "\(mergesField)[\(rank)]", token: merge.left + merge.right)
            }
            table.insert(
                left: Int32(left), right: Int32(right), rank: Int32(rank), merged: Int32(merged),
                replace: lastDuplicateWins)
        }
        self.merges = table
    }

    /// Appends the token ids of one word (raw UTF-8 bytes) to `output`.
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
        workspace.load(bytes, byteTokenIDs: byteTokenIDs, unknownID: unknownID, fuseUnknown: fuseUnknown)
        workspace.merge(merges)
        workspace.emit(into: &output)
    }
}

/// Scratch memory for `BPEModel.encodeWord`: a linked list of symbols and a heap of
/// candidate merges ordered by (rank, position). Reused across the words of one call.
struct BPEWorkspace {
    private var ids: [Int32] = []
    private var next: [Int32] = []
    private var prev: [Int32] = []
    private var heap: [UInt64] = []

    init() {}

    /// Starts a word: one symbol per byte (unknown bytes become the unknown token or vanish).
    mutating func load(_ bytes: UnsafeBufferPointer<UInt8>, byteTokenIDs: [Int32], unknownID: Int32?, fuseUnknown: Bool) {
        ids.removeAll(keepingCapacity: true)
        var previousWasUnknown = false
        for byte in bytes {
            let id = byteTokenIDs[Int(byte)]
            if id >= 0 {
                ids.append(id)
                previousWasUnknown = false
            } else if let unknownID {
                if !(fuseUnknown && previousWasUnknown) { ids.append(unknownID) }
                previousWasUnknown = true
            }
        }
        let count = ids.count
        next.removeAll(keepingCapacity: true)
        prev.removeAll(keepingCapacity: true)
        for i in 0..<count {
            next.append(i + 1 < count ? Int32(i + 1) : -1)
            prev.append(Int32(i - 1))
        }
    }

    /// Applies merges, lowest rank first and leftmost among equal ranks, until none applies.
    mutating func merge(_ merges: MergeTable) {
        heap.removeAll(keepingCapacity: true)
        guard ids.count > 1 else { return }
        for i in 0..<(ids.count - 1) {
            if let m = merges.lookup(ids[i], ids[i + 1]) { push(m.rank, Int32(i)) }
        }
        while let top = pop() {
            let rank = Int32(truncatingIfNeeded: top >> 32)
            let i = Int(Int32(truncatingIfNeeded: top))
            let j = Int(next[i])
            guard ids[i] >= 0, j >= 0, let m = merges.lookup(ids[i], ids[j]), m.rank == rank else { continue }
            ids[i] = m.merged
            ids[j] = -1
            let after = next[j]
            next[i] = after
            if after >= 0 { prev[Int(after)] = Int32(i) }
            let before = prev[i]
            if before >= 0, let left = merges.lookup(ids[Int(before)], ids[i]) { push(left.rank, before) }
            if after >= 0, let right = merges.lookup(ids[i], ids[Int(after)]) { push(right.rank, Int32(i)) }
        }
    }

    /// Appends the surviving symbols in order.
    func emit(into output: inout [Int]) {
        guard !ids.isEmpty else { return }
        var i = 0
        while i >= 0 {
            output.append(Int(ids[i]))
            i = Int(next[i])
        }
    }

    // MARK: - Min-heap of (rank << 32 | position)

    private mutating func push(_ rank: Int32, _ position: Int32) {
        heap.append(UInt64(UInt32(bitPattern: rank)) << 32 | UInt64(UInt32(bitPattern: position)))
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if heap[parent] <= heap[child] { break }
            heap.swapAt(parent, child)
            child = parent
        }
    }

    private mutating func pop() -> UInt64? {
        guard let top = heap.first else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            var parent = 0
            let count = heap.count
            while true {
                let left = 2 * parent + 1
                if left >= count { break }
                let right = left + 1
                let child = right < count && heap[right] < heap[left] ? right : left
                if heap[parent] <= heap[child] { break }
                heap.swapAt(parent, child)
                parent = child
            }
        }
        return top
    }
}
