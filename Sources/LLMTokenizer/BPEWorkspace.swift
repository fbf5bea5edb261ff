/// Scratch memory for BPE encoding: a linked list of symbols and a heap of candidate merges
/// ordered by (rank, position). Reused across the words of one `encode` call.
struct BPEWorkspace {
    private(set) var ids: [Int32] = []
    private var next: [Int32] = []
    private var prev: [Int32] = []
    private var heap: [UInt64] = []

    init() {}

    /// Starts a word with no symbols.
    mutating func reset() {
        ids.removeAll(keepingCapacity: true)
    }

    /// Adds a symbol at the end of the word.
    @inline(__always)
    mutating func append(_ id: Int32) {
        ids.append(id)
    }

    /// Applies merges, lowest rank first and leftmost among equal ranks, until none applies.
    mutating func merge(_ merges: MergeTable) {
        let count = ids.count
        heap.removeAll(keepingCapacity: true)
        guard count > 1 else { return }
        next.removeAll(keepingCapacity: true)
        prev.removeAll(keepingCapacity: true)
        for i in 0..<count {
            next.append(i + 1 < count ? Int32(i + 1) : -1)
            prev.append(Int32(i - 1))
        }
        for i in 0..<(count - 1) {
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

    /// Calls `body` with the surviving symbols in order (after `merge`).
    @inline(__always)
    func forEachSymbol(_ body: (Int32) -> Void) {
        guard ids.count >= 2 else {
            for id in ids { body(id) }
            return
        }
        var i = 0
        while i >= 0 {
            body(ids[i])
            i = Int(next[i])
        }
    }

    /// Appends the surviving symbols in order (after `merge`).
    func emit(into output: inout [Int]) {
        forEachSymbol { output.append(Int($0)) }
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
