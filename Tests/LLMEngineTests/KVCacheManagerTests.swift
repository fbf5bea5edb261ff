import LLMEngine
import Testing

/// The KV manager: prefix lookups, slot allocation, caching full blocks, freeing.
@Suite struct KVCacheManagerTests {
    static let prompt: [Int32] = Array(0..<10)

    @Test func prefixHitCoversFullComputedBlocksButNeverTheLastToken() {
        var kv = KVCacheManager(blockCount: 8, blockSize: 4, prefixCaching: true)
        let allocated1 = kv.allocate(1, totalTokens: 10, lookedUpTokens: 10)
        #expect(allocated1)
        kv.cacheFullBlocks(1, tokens: Self.prompt, computed: 10)
        #expect(kv.prefixHit(tokens: Self.prompt, extraKey: nil).tokenCount == 8)
        // Eight tokens that are exactly two blocks: only one block may be reused.
        #expect(kv.prefixHit(tokens: Array(Self.prompt[0..<8]), extraKey: nil).tokenCount == 4)
        #expect(kv.prefixHit(tokens: [0, 1, 2, 3, 9, 9, 9, 9, 9], extraKey: nil).tokenCount == 4)
        #expect(kv.prefixHit(tokens: Self.prompt, extraKey: 5).tokenCount == 0, "another adapter's KV is never reused")
    }

    @Test func onlyComputedBlocksAreCached() {
        var kv = KVCacheManager(blockCount: 8, blockSize: 4, prefixCaching: true)
        let allocated2 = kv.allocate(1, totalTokens: 10)
        #expect(allocated2)
        kv.cacheFullBlocks(1, tokens: Self.prompt, computed: 5)
        #expect(kv.prefixHit(tokens: Self.prompt, extraKey: nil).tokenCount == 4)
    }

    @Test func freedBlocksStayReusableUntilEvicted() {
        var kv = KVCacheManager(blockCount: 4, blockSize: 4, prefixCaching: true)
        let allocated3 = kv.allocate(1, totalTokens: 10)
        #expect(allocated3)
        let table = kv.blockTable(of: 1)
        kv.cacheFullBlocks(1, tokens: Self.prompt, computed: 10)
        kv.free(1)
        let hit = kv.prefixHit(tokens: Self.prompt, extraKey: nil)
        #expect(hit.blocks == Array(table[0..<2]))
        let allocated4 = kv.allocate(2, totalTokens: 10, hit: hit, lookedUpTokens: 10)
        #expect(allocated4)
        #expect(kv.blockTable(of: 2).prefix(2) == table.prefix(2))
        #expect(kv.hitTokens == 8 && kv.queriedTokens == 10)
        kv.free(2)
        // Filling the whole cache with other content evicts the prefix.
        let allocated5 = kv.allocate(3, totalTokens: 16)
        #expect(allocated5)
        kv.free(3)
        #expect(kv.prefixHit(tokens: Self.prompt, extraKey: nil).tokenCount == 0)
        #expect(kv.invariantViolations().isEmpty)
    }

    @Test func failedAllocationChangesNothingAndCountsReclaimedHits() {
        var kv = KVCacheManager(blockCount: 3, blockSize: 4, prefixCaching: true)
        let allocated6 = kv.allocate(1, totalTokens: 9)
        #expect(allocated6)
        kv.cacheFullBlocks(1, tokens: Array(0..<9), computed: 9)
        kv.free(1)
        let hit = kv.prefixHit(tokens: Array(0..<9), extraKey: nil)
        #expect(hit.blocks.count == 2)
        // Two free cached blocks reclaimed by the hit plus two new blocks: four, three exist.
        let allocated7 = kv.allocate(2, totalTokens: 16, hit: hit)
        #expect(!allocated7)
        #expect(kv.blockTable(of: 2).isEmpty)
        #expect(kv.pool.freeCount == 3)
        let allocated8 = kv.allocate(2, totalTokens: 12, hit: hit)
        #expect(allocated8)
        #expect(kv.invariantViolations().isEmpty)
    }

    @Test func identicalPromptsComputedTogetherKeepTheChain() {
        // Two requests compute the same prompt in the same step: the first caches each
        // block, the second's identical blocks stay private but its later blocks still
        // chain from the cached twins.
        var kv = KVCacheManager(blockCount: 8, blockSize: 2, prefixCaching: true)
        let shared: [Int32] = [1, 2, 3, 4]
        let allocated = kv.allocate(1, totalTokens: 4) && kv.allocate(2, totalTokens: 6)
        #expect(allocated)
        kv.cacheFullBlocks(1, tokens: shared, computed: 4)
        kv.cacheFullBlocks(2, tokens: shared + [5, 6], computed: 6)
        #expect(kv.prefixHit(tokens: shared + [5, 6, 7], extraKey: nil).tokenCount == 6)
        #expect(kv.invariantViolations().isEmpty)
    }

    @Test func disabledPrefixCachingFindsNothing() {
        var kv = KVCacheManager(blockCount: 4, blockSize: 4, prefixCaching: false)
        let allocated9 = kv.allocate(1, totalTokens: 10)
        #expect(allocated9)
        kv.cacheFullBlocks(1, tokens: Self.prompt, computed: 10)
        kv.free(1)
        #expect(kv.prefixHit(tokens: Self.prompt, extraKey: nil) == .none)
        #expect(kv.pool.cachedCount == 0)
    }
}
