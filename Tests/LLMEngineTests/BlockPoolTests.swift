import LLMEngine
import Testing

/// The block pool: reference counts, the free queue's eviction order, and content
/// lookups that verify what they find.
@Suite struct BlockPoolTests {
    static func tokens(_ values: [Int32]) -> ArraySlice<Int32> { values[...] }

    @Test func allocatesUntilEmptyAndFreesBack() {
        var pool = BlockPool(blockCount: 4, blockSize: 2)
        let a = pool.allocate(3)!
        #expect(a == [0, 1, 2])
        #expect(pool.freeCount == 1)
        #expect(pool.allocate(2) == nil)
        #expect(pool.freeCount == 1, "a failed allocation takes nothing")
        pool.release(a)
        #expect(pool.freeCount == 4)
        #expect(pool.invariantViolations().isEmpty)
    }

    @Test func sharedBlocksFreeOnLastRelease() {
        var pool = BlockPool(blockCount: 2, blockSize: 2)
        let a = pool.allocate(1)!
        pool.retain(a)
        #expect(pool.refCount(a[0]) == 2)
        pool.release(a)
        #expect(pool.freeCount == 1)
        pool.release(a)
        #expect(pool.freeCount == 2)
        #expect(pool.invariantViolations().isEmpty)
    }

    @Test func uncachedFreeBlocksAreTakenBeforeCachedOnes() {
        var pool = BlockPool(blockCount: 3, blockSize: 2)
        let blocks = pool.allocate(3)!
        let cached1 = pool.cache(blocks[0], hash: BlockHash(value: 1), parentContentID: BlockPool.noParent, tokens: Self.tokens([1, 2]), extraKey: nil)
        #expect(cached1)
        pool.release(blocks)
        // Block 0 holds content, so blocks 1 and 2 go first.
        #expect(pool.allocate(2) == [2, 1])
        #expect(pool.cachedCount == 1)
        #expect(pool.allocate(1) == [0])
        #expect(pool.cachedCount == 0, "taking a cached block for new content evicts it")
        #expect(pool.evictions == 1)
    }

    @Test func cachedBlocksAreEvictedLeastRecentlyFreedFirst() {
        var pool = BlockPool(blockCount: 3, blockSize: 1)
        let blocks = pool.allocate(3)!
        for (i, b) in blocks.enumerated() {
            pool.cache(b, hash: BlockHash(value: UInt64(i + 1)), parentContentID: BlockPool.noParent, tokens: Self.tokens([Int32(i)]), extraKey: nil)
        }
        pool.release([blocks[2]])
        pool.release([blocks[0]])
        pool.release([blocks[1]])
        #expect(pool.allocate(1) == [blocks[2]])
        // A hit takes block 0 out of the middle of the queue; block 1 is next.
        pool.retain([blocks[0]])
        #expect(pool.allocate(1) == [blocks[1]])
        #expect(pool.invariantViolations().isEmpty)
    }

    @Test func lookupVerifiesTokensParentAndExtraKey() {
        var pool = BlockPool(blockCount: 2, blockSize: 2)
        let b = pool.allocate(1)![0]
        let hash = BlockHash(value: 42)
        pool.cache(b, hash: hash, parentContentID: BlockPool.noParent, tokens: Self.tokens([5, 6]), extraKey: 3)
        #expect(pool.cachedBlock(hash: hash, parentContentID: BlockPool.noParent, tokens: Self.tokens([5, 6]), extraKey: 3) == b)
        // The same hash with other content (a collision) finds nothing.
        #expect(pool.cachedBlock(hash: hash, parentContentID: BlockPool.noParent, tokens: Self.tokens([5, 7]), extraKey: 3) == nil)
        #expect(pool.cachedBlock(hash: hash, parentContentID: 99, tokens: Self.tokens([5, 6]), extraKey: 3) == nil)
        #expect(pool.cachedBlock(hash: hash, parentContentID: BlockPool.noParent, tokens: Self.tokens([5, 6]), extraKey: nil) == nil)
        // A second block cannot take a hash that is in use.
        let other = pool.allocate(1)![0]
        let cached2 = pool.cache(other, hash: hash, parentContentID: BlockPool.noParent, tokens: Self.tokens([5, 6]), extraKey: 3)
        #expect(!cached2)
    }

    @Test func contentIDsAreNeverReused() {
        var pool = BlockPool(blockCount: 1, blockSize: 1)
        var seen = Set<UInt64>()
        for i in 0..<5 {
            let b = pool.allocate(1)![0]
            pool.cache(b, hash: BlockHash(value: UInt64(i)), parentContentID: BlockPool.noParent, tokens: Self.tokens([Int32(i)]), extraKey: nil)
            #expect(seen.insert(pool.contentID(of: b)).inserted)
            pool.release([b])
        }
    }

    @Test func hashesChainThroughTheParentAndAreStable() {
        let tokens: [Int32] = [1, 2, 3, 4]
        let first = BlockHash(parent: nil, tokens: tokens[0..<2], extraKey: nil)
        let second = BlockHash(parent: first, tokens: tokens[2..<4], extraKey: nil)
        #expect(second == BlockHash(parent: first, tokens: tokens[2..<4], extraKey: nil))
        #expect(second != BlockHash(parent: nil, tokens: tokens[2..<4], extraKey: nil))
        #expect(first != BlockHash(parent: nil, tokens: tokens[0..<2], extraKey: 7))
        // Fixed across processes: a router may compute the same value.
        #expect(first.value == BlockHash(parent: nil, tokens: [1, 2][...], extraKey: nil).value)
    }
}
