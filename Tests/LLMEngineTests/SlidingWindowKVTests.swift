import LLMEngine
import Testing

/// Blocks that leave a sliding window are given back as a sequence advances; a released
/// full block stays findable by content until its block is taken for new content.
@Suite struct SlidingWindowKVTests {
    static let tokens: [Int32] = Array(0..<12)

    @Test("Blocks wholly before the next token's window are released, newest table entries kept")
    func releasesOutOfWindowBlocks() {
        var kv = KVCacheManager(blockCount: 8, blockSize: 2, prefixCaching: true, slidingWindow: 4)
        let r1 = kv.allocate(1, totalTokens: 10)
        #expect(r1)
        kv.cacheFullBlocks(1, tokens: Array(Self.tokens[..<10]), computed: 10)
        let table = kv.blockTable(of: 1)
        // Position 10 attends to 7...10: blocks 0-2 (positions 0-5) are out; block 3 (6, 7) is not.
        let r2 = kv.releaseOutOfWindow(1, computed: 10)
        #expect(r2 == 3)
        #expect(kv.blockTable(of: 1) == [-1, -1, -1] + table[3...])
        #expect(kv.heldBlockCount(of: 1) == 2)
        #expect(kv.pool.freeCount == 6)
        let r3 = kv.releaseOutOfWindow(1, computed: 10)
        #expect(r3 == 0, "nothing is released twice")
        // Growing by one block keeps the table positional.
        let r4 = kv.allocate(1, totalTokens: 12)
        #expect(r4)
        #expect(kv.blockTable(of: 1).count == 6)
        #expect(kv.invariantViolations().isEmpty)
        kv.free(1)
        #expect(kv.pool.freeCount == 8 && kv.invariantViolations().isEmpty)
    }

    @Test("A released block is a valid prefix hit until reused; without a window nothing is released")
    func releasedBlocksStayCachedUntilEvicted() {
        var kv = KVCacheManager(blockCount: 6, blockSize: 2, prefixCaching: true, slidingWindow: 3)
        let r5 = kv.allocate(1, totalTokens: 8)
        #expect(r5)
        kv.cacheFullBlocks(1, tokens: Array(Self.tokens[..<8]), computed: 8)
        let table = kv.blockTable(of: 1)
        let r6 = kv.releaseOutOfWindow(1, computed: 8)
        #expect(r6 == 3)
        // Another request with the same prompt finds the released blocks by content.
        let hit = kv.prefixHit(tokens: Array(Self.tokens[..<9]), extraKey: nil)
        #expect(hit.blocks == Array(table[0..<4]))
        // New content takes the two uncached free blocks, then the released ones newest
        // first: the chain now ends after its head.
        let r7 = kv.allocate(2, totalTokens: 8)
        #expect(r7)
        #expect(kv.prefixHit(tokens: Array(Self.tokens[..<9]), extraKey: nil).blocks == [table[0]])
        #expect(kv.invariantViolations().isEmpty)

        var full = KVCacheManager(blockCount: 6, blockSize: 2, prefixCaching: true)
        let r8 = full.allocate(1, totalTokens: 8)
        #expect(r8)
        let r9 = full.releaseOutOfWindow(1, computed: 8)
        #expect(r9 == 0)
        #expect(full.heldBlockCount(of: 1) == 4)
    }

    @Test("Through the scheduler a windowed request holds about window / block size blocks, not its length")
    func schedulerHoldsOnlyTheWindow() throws {
        for window in [nil, 8] as [Int?] {
            var h = try SchedulerHarness(blocks: 10, blockSize: 4, maxTokens: 6, maxSequences: 2, window: window)
            try h.submit(0, prompt: Array(0..<20), generate: 16)
            var peak = 0
            while h.scheduler.hasWork {
                h.step()
                peak = max(peak, h.scheduler.kv.pool.usedCount)
                #expect(h.scheduler.invariantViolations().isEmpty)
            }
            #expect(h.kvProblems.isEmpty, "\(h.kvProblems)")
            #expect(h.finished[0] == SchedulerHarness.expected(prompt: Array(0..<20), generate: 16))
            #expect(h.scheduler.kv.pool.freeCount == 10)
            // After each step: 36 tokens are 9 blocks; the 8 positions before the next
            // token span at most 3 blocks.
            #expect(window == nil ? peak == 9 : peak <= 3, "window \(String(describing: window)): peak \(peak) blocks")
        }
    }
}
