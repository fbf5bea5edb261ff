/// The KV cache's blocks as integer ids: reference counts, a free queue in eviction
/// order, and an index of full blocks by content (prefix caching).
///
/// A block is free when nobody references it. Free blocks wait in one queue: blocks that
/// hold no reusable content at the front (taken first), cached blocks at the back in the
/// order they were freed, so the least recently used cached block is evicted first. A
/// cached free block found again by a later request leaves the queue from wherever it
/// sits: the queue is a doubly linked list over two arrays, so that removal is O(1).
///
/// Every cached block keeps its token ids, extra key and its parent's content id; a
/// lookup checks them, so a hash collision finds nothing rather than someone else's KV.
/// Content ids are never reused, so a parent that was evicted and refilled can never be
/// mistaken for the parent a child was computed after.
public struct BlockPool: Sendable {
    /// The parent content id of a sequence's first block.
    public static let noParent: UInt64 = 0

    public let blockCount: Int
    public let blockSize: Int
    /// Blocks on the free queue, cached or not.
    public private(set) var freeCount: Int
    /// Cached blocks taken for new content (over the pool's lifetime).
    public private(set) var evictions = 0

    private var refCounts: [Int32]
    // Free queue links; index `blockCount` is the sentinel: next[sentinel] is the front.
    private var previous: [Int32]
    private var next: [Int32]
    // Per block, set while it is cached; content id 0 = not cached.
    private var hashes: [BlockHash?]
    private var contentIDs: [UInt64]
    private var parentContentIDs: [UInt64]
    private var extraKeys: [Int?]
    private var storedTokens: [Int32]
    private var index: [BlockHash: Int32] = [:]
    private var nextContentID: UInt64 = 1

    public init(blockCount: Int, blockSize: Int) {
        self.blockCount = blockCount
        self.blockSize = blockSize
        freeCount = blockCount
        refCounts = [Int32](repeating: 0, count: blockCount)
        hashes = [BlockHash?](repeating: nil, count: blockCount)
        contentIDs = [UInt64](repeating: 0, count: blockCount)
        parentContentIDs = [UInt64](repeating: 0, count: blockCount)
        extraKeys = [Int?](repeating: nil, count: blockCount)
        storedTokens = [Int32](repeating: 0, count: blockCount * blockSize)
        // Initially every block is free, in id order.
        let sentinel = Int32(blockCount)
        previous = [Int32](repeating: sentinel, count: blockCount + 1)
        next = [Int32](repeating: sentinel, count: blockCount + 1)
        var last = sentinel
        for block in 0..<Int32(blockCount) {
            previous[Int(block)] = last
            next[Int(last)] = block
            last = block
        }
        next[Int(last)] = sentinel
        previous[Int(sentinel)] = last
    }

    /// Blocks referenced by at least one sequence.
    public var usedCount: Int { blockCount - freeCount }
    /// Blocks findable by content (in use or free).
    public var cachedCount: Int { index.count }

    public func refCount(_ block: Int32) -> Int { Int(refCounts[Int(block)]) }

    /// The block's content id, or 0 when it is not cached.
    public func contentID(of block: Int32) -> UInt64 { contentIDs[Int(block)] }

    /// `count` blocks with a reference count of one, or nil (and nothing taken) when
    /// fewer are free. Cached free blocks taken here lose their content.
    public mutating func allocate(_ count: Int) -> [Int32]? {
        guard count <= freeCount else { return nil }
        var taken = [Int32]()
        taken.reserveCapacity(count)
        for _ in 0..<count {
            let block = next[blockCount]
            unlink(block)
            if contentIDs[Int(block)] != 0 {
                forget(block)
                evictions += 1
            }
            refCounts[Int(block)] = 1
            taken.append(block)
        }
        return taken
    }

    /// Adds a reference to each block (a prefix-cache hit); free ones leave the queue.
    public mutating func retain(_ blocks: [Int32]) {
        for block in blocks {
            if refCounts[Int(block)] == 0 { unlink(block) }
            refCounts[Int(block)] += 1
        }
    }

    /// Drops one reference from each block, in order; a block nobody references joins
    /// the free queue: at the back if cached (evicted last), at the front if not.
    public mutating func release(_ blocks: [Int32]) {
        for block in blocks {
            let b = Int(block)
            precondition(refCounts[b] > 0, "block \(block) released more often than referenced")
            refCounts[b] -= 1
            guard refCounts[b] == 0 else { continue }
            if contentIDs[b] != 0 {
                link(block, after: previous[blockCount])
            } else {
                link(block, after: Int32(blockCount))
            }
        }
    }

    /// The cached block with this content, if any: the hash finds a candidate, and its
    /// parent, tokens and extra key must all match.
    public func cachedBlock(hash: BlockHash, parentContentID: UInt64, tokens: ArraySlice<Int32>, extraKey: Int?) -> Int32? {
        guard let block = index[hash] else { return nil }
        let b = Int(block)
        guard parentContentIDs[b] == parentContentID, extraKeys[b] == extraKey, tokens.count == blockSize,
              storedTokens[b * blockSize ..< (b + 1) * blockSize].elementsEqual(tokens) else { return nil }
        return block
    }

    /// Makes a full, computed block findable by content. Returns false (and changes
    /// nothing) when the block is already cached or another block holds this hash.
    @discardableResult
    public mutating func cache(_ block: Int32, hash: BlockHash, parentContentID: UInt64, tokens: ArraySlice<Int32>, extraKey: Int?) -> Bool {
        let b = Int(block)
        guard contentIDs[b] == 0, index[hash] == nil, tokens.count == blockSize else { return false }
        index[hash] = block
        hashes[b] = hash
        contentIDs[b] = nextContentID
        nextContentID += 1
        parentContentIDs[b] = parentContentID
        extraKeys[b] = extraKey
        storedTokens.replaceSubrange(b * blockSize ..< (b + 1) * blockSize, with: tokens)
        return true
    }

    /// Broken invariants, for tests and debugging: free-queue links, the free count,
    /// reference counts of queued blocks, and the content index.
    public func invariantViolations() -> [String] {
        var problems = [String]()
        var seen = Set<Int32>()
        var block = next[blockCount], last = Int32(blockCount)
        while block != Int32(blockCount) {
            if !seen.insert(block).inserted { problems.append("block \(block) twice in the free queue"); break }
            if previous[Int(block)] != last { problems.append("block \(block): broken back link") }
            if refCounts[Int(block)] != 0 { problems.append("block \(block) queued with \(refCounts[Int(block)]) references") }
            last = block
            block = next[Int(block)]
        }
        if seen.count != freeCount { problems.append("free queue holds \(seen.count) blocks, free count says \(freeCount)") }
        for b in 0..<blockCount where refCounts[b] == 0 && !seen.contains(Int32(b)) {
            problems.append("block \(b) unreferenced but not in the free queue")
        }
        for (hash, block) in index where hashes[Int(block)] != hash || contentIDs[Int(block)] == 0 {
            problems.append("index entry \(hash) points at block \(block), which does not hold it")
        }
        let cachedBlocks = contentIDs.filter { $0 != 0 }.count
        if cachedBlocks != index.count { problems.append("\(cachedBlocks) blocks cached, index has \(index.count)") }
        return problems
    }

    private mutating func forget(_ block: Int32) {
        let b = Int(block)
        if let hash = hashes[b], index[hash] == block { index[hash] = nil }
        hashes[b] = nil
        contentIDs[b] = 0
        parentContentIDs[b] = 0
        extraKeys[b] = nil
    }

    private mutating func unlink(_ block: Int32) {
        let b = Int(block)
        next[Int(previous[b])] = next[b]
        previous[Int(next[b])] = previous[b]
        freeCount -= 1
    }

    private mutating func link(_ block: Int32, after anchor: Int32) {
        let b = Int(block), after = next[Int(anchor)]
        previous[b] = anchor
        next[b] = after
        next[Int(anchor)] = block
        previous[Int(after)] = block
        freeCount += 1
    }
}
