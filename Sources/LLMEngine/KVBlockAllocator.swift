/// Hands out KV cache block ids. The block pool with reference counts and prefix
/// hashing replaces this when the scheduler arrives; the interface (allocate ids,
/// give them back) stays.
public struct KVBlockAllocator: Sendable {
    public let blockCount: Int
    private var free: [Int32]

    public init(blockCount: Int) {
        self.blockCount = blockCount
        free = (0..<Int32(blockCount)).reversed()
    }

    public var freeCount: Int { free.count }

    /// `count` blocks, or nil (and nothing taken) when fewer are free.
    public mutating func allocate(_ count: Int) -> [Int32]? {
        guard count <= free.count else { return nil }
        let taken = Array(free.suffix(count).reversed())
        free.removeLast(count)
        return taken
    }

    public mutating func release(_ blocks: [Int32]) {
        free.append(contentsOf: blocks.reversed())
    }
}
