/// A request's longest cached prefix: whole blocks found by content, with their hashes.
public struct PrefixHit: Sendable, Equatable {
    public var blocks: [Int32]
    public var hashes: [BlockHash]
    public var tokenCount: Int

    public static let none = PrefixHit(blocks: [], hashes: [], tokenCount: 0)
}

/// Which cache blocks each request holds, over one ``BlockPool``: finds a new request's
/// cached prefix, allocates slots for the tokens granted each step, makes blocks
/// findable once they are full and computed, and frees a request's blocks when it
/// finishes, is aborted or is preempted. Pure bookkeeping over integer ids.
///
/// With a `slidingWindow` (a model whose every layer attends only to its last W
/// positions, e.g. Mistral with `sliding_window`), blocks that lie wholly before the
/// window of the next token to compute are given back as the sequence advances (as
/// vLLM does); their table entries become ``releasedBlock``, which no attention kernel
/// reads (keys before a query's window are never looked up). A released block keeps its
/// cached content and stays findable by a later request's prefix lookup until the
/// block is taken for new content (which evicts it from the index), so a hit is always
/// valid KV. Models with some full-attention layers (Gemma 2/3) need every block and
/// pass no window: per-layer-group block tables would be needed to free anything there.
public struct KVCacheManager: Sendable {
    /// The table entry of a block given back because it fell out of the window.
    public static let releasedBlock: Int32 = -1

    struct RequestBlocks {
        var blocks: [Int32] = []
        /// Hashes of the leading full blocks registered so far (or found as a hit), and
        /// the content id each is cached under (its own, or an identical block's).
        var hashes: [BlockHash] = []
        var contentIDs: [UInt64] = []
        var extraKey: Int?
        /// Set when a full block could not be cached because a different block holds its
        /// hash (a collision): later blocks cannot name their parent, so stay uncached.
        var chainBroken = false
    }

    public private(set) var pool: BlockPool
    public let prefixCaching: Bool
    /// The attention window of every layer, or nil when any layer attends to all positions.
    public let slidingWindow: Int?
    /// Prompt tokens looked up in the prefix cache, and how many were found there.
    public private(set) var queriedTokens = 0
    public private(set) var hitTokens = 0
    private var requests: [Int: RequestBlocks] = [:]

    public init(blockCount: Int, blockSize: Int, prefixCaching: Bool, slidingWindow: Int? = nil) {
        pool = BlockPool(blockCount: blockCount, blockSize: blockSize)
        self.prefixCaching = prefixCaching
        self.slidingWindow = slidingWindow.flatMap { $0 > 0 ? $0 : nil }
    }

    public var blockSize: Int { pool.blockSize }

    /// Blocks covering `tokens` tokens.
    public func blocksNeeded(forTokens tokens: Int) -> Int { (tokens + pool.blockSize - 1) / pool.blockSize }

    /// Cache blocks of a request, in sequence order (empty for unknown ids); entries out
    /// of the sliding window are ``releasedBlock``.
    public func blockTable(of request: Int) -> [Int32] { requests[request]?.blocks ?? [] }

    /// Blocks a request holds (its table less the released entries).
    public func heldBlockCount(of request: Int) -> Int {
        requests[request]?.blocks.filter { $0 != Self.releasedBlock }.count ?? 0
    }

    /// Fraction of looked-up prompt tokens found in the cache.
    public var hitRate: Double { queriedTokens > 0 ? Double(hitTokens) / Double(queriedTokens) : 0 }

    /// The longest run of leading full blocks of `tokens` already cached. The last token
    /// is never included: at least one token must be computed so its logits exist.
    public func prefixHit(tokens: [Int32], extraKey: Int?) -> PrefixHit {
        guard prefixCaching else { return .none }
        let bs = pool.blockSize
        var hit = PrefixHit.none
        var parent: BlockHash?, parentContent = BlockPool.noParent
        for i in 0..<((tokens.count - 1) / bs) {
            let slice = tokens[i * bs ..< (i + 1) * bs]
            let hash = BlockHash(parent: parent, tokens: slice, extraKey: extraKey)
            guard let block = pool.cachedBlock(hash: hash, parentContentID: parentContent, tokens: slice, extraKey: extraKey) else { break }
            hit.blocks.append(block)
            hit.hashes.append(hash)
            parent = hash
            parentContent = pool.contentID(of: block)
        }
        hit.tokenCount = hit.blocks.count * bs
        return hit
    }

    /// Grows `request`'s blocks to hold `totalTokens` tokens. On a request's first
    /// allocation `hit` supplies its cached prefix (counted in the hit rate once the
    /// allocation succeeds). Returns false, changing nothing, when the free blocks do not
    /// suffice (free cached blocks of the hit count against them: taking them out of the
    /// queue uses them up).
    public mutating func allocate(_ request: Int, totalTokens: Int, hit: PrefixHit = .none, extraKey: Int? = nil, lookedUpTokens: Int = 0) -> Bool {
        var entry = requests[request] ?? RequestBlocks(extraKey: extraKey)
        precondition(hit.blocks.isEmpty || entry.blocks.isEmpty, "a prefix hit is only taken on a request's first allocation")
        let needed = max(0, blocksNeeded(forTokens: totalTokens) - entry.blocks.count - hit.blocks.count)
        let reclaimed = hit.blocks.filter { pool.refCount($0) == 0 }.count
        guard needed + reclaimed <= pool.freeCount else { return false }
        if entry.blocks.isEmpty && prefixCaching {
            queriedTokens += lookedUpTokens
            hitTokens += hit.tokenCount
        }
        pool.retain(hit.blocks)
        entry.blocks += hit.blocks
        entry.hashes += hit.hashes
        entry.contentIDs += hit.blocks.map { pool.contentID(of: $0) }
        if needed > 0, let new = pool.allocate(needed) { entry.blocks += new }
        requests[request] = entry
        return true
    }

    /// Makes `request`'s blocks findable once full: `tokens` are its token ids and the
    /// first `computed` of them have their keys and values in the cache.
    public mutating func cacheFullBlocks(_ request: Int, tokens: [Int32], computed: Int) {
        guard prefixCaching, var entry = requests[request] else { return }
        let bs = pool.blockSize
        while !entry.chainBroken, entry.hashes.count < min(computed / bs, entry.blocks.count) {
            let i = entry.hashes.count
            let parentContent = entry.contentIDs.last ?? BlockPool.noParent
            let slice = tokens[i * bs ..< (i + 1) * bs]
            let hash = BlockHash(parent: entry.hashes.last, tokens: slice, extraKey: entry.extraKey)
            let block = entry.blocks[i]
            var content = pool.contentID(of: block)
            if content == 0 {
                if pool.cache(block, hash: hash, parentContentID: parentContent, tokens: slice, extraKey: entry.extraKey) {
                    content = pool.contentID(of: block)
                } else if let twin = pool.cachedBlock(hash: hash, parentContentID: parentContent, tokens: slice, extraKey: entry.extraKey) {
                    // Another request computed the same block first (same prompt at the
                    // same time): its KV is identical, so the chain continues from it.
                    content = pool.contentID(of: twin)
                } else {
                    entry.chainBroken = true
                    break
                }
            }
            entry.hashes.append(hash)
            entry.contentIDs.append(content)
        }
        requests[request] = entry
    }

    /// With a sliding window, gives back `request`'s blocks that end before the window
    /// of position `computed` (the next token to compute; later tokens look even less
    /// far back). Call after ``cacheFullBlocks(_:tokens:computed:)``, so that full blocks
    /// are findable before they are released. Returns how many blocks were given back.
    @discardableResult
    public mutating func releaseOutOfWindow(_ request: Int, computed: Int) -> Int {
        guard let window = slidingWindow, var entry = requests[request] else { return 0 }
        // Position `computed` attends to computed + 1 - window ... computed.
        let firstNeeded = max(0, computed + 1 - window)
        let outOfWindow = min(firstNeeded / pool.blockSize, entry.blocks.count)
        var released: [Int32] = []
        for i in 0..<outOfWindow where entry.blocks[i] != Self.releasedBlock {
            released.append(entry.blocks[i])
            entry.blocks[i] = Self.releasedBlock
        }
        guard !released.isEmpty else { return 0 }
        // Newest first, as `free` does: the chain's head, which every later hit needs, is evicted last.
        pool.release(released.reversed())
        requests[request] = entry
        return released.count
    }

    /// Gives back every block of `request`, last block first, so a sequence's tail is
    /// evicted before its (more shareable) head.
    public mutating func free(_ request: Int) {
        guard let entry = requests.removeValue(forKey: request) else { return }
        pool.release(entry.blocks.reversed().filter { $0 != Self.releasedBlock })
    }

    /// Broken invariants: the pool's own, and every block's reference count against the
    /// requests that hold it.
    public func invariantViolations() -> [String] {
        var problems = pool.invariantViolations()
        var holders = [Int32: Int]()
        for entry in requests.values {
            for block in entry.blocks where block != Self.releasedBlock { holders[block, default: 0] += 1 }
            if let window = slidingWindow, let lastReleased = entry.blocks.lastIndex(of: Self.releasedBlock),
               entry.blocks[..<lastReleased].contains(where: { $0 != Self.releasedBlock }) {
                problems.append("a request holds a block before a released one (window \(window))")
            }
        }
        for b in 0..<Int32(pool.blockCount) where pool.refCount(b) != holders[b, default: 0] {
            problems.append("block \(b): \(pool.refCount(b)) references, held by \(holders[b, default: 0]) requests")
        }
        return problems
    }
}
