import LLMEngine
import LLMRuntime
import Testing

/// Random sequences of submit / step / cancel / finish over small caches: after every
/// operation no block is leaked or double-freed, reference counts match the requests
/// holding blocks, budgets hold, and every request that finishes has exactly the tokens
/// it would have had alone, however often it was preempted; and every key a computed
/// position attends to is still in the cache with the right content (see
/// `SchedulerHarness.playAttention`), with and without a sliding window that gives blocks
/// back as sequences advance.
@Suite struct SchedulerRandomizedTests {
    @Test(arguments: 1...12)
    func invariantsHoldUnderRandomOperations(seed: UInt64) throws {
        try exercise(seed: seed, window: nil)
    }

    @Test("Sliding window: out-of-window blocks are given back, prefix hits stay valid", arguments: 1...12)
    func slidingWindow(seed: UInt64) throws {
        try exercise(seed: seed, window: 1 + Int(seed % 7))
    }

    func exercise(seed: UInt64, window: Int?) throws {
        var rng = SplitMix64(state: seed)
        func random(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
        let blockSize = random(1...4)
        let blocks = random(8...24)
        let maxTokens = random(1...12)
        var h = try SchedulerHarness(blocks: blocks, blockSize: blockSize, maxTokens: maxTokens, maxSequences: random(1...6),
                                     maxModelLength: blocks * blockSize, prefixCaching: seed % 3 != 0, window: window)
        // A few shared prefixes, so prefix hits and shared blocks happen.
        let prefixes: [[Int32]] = (0..<3).map { p in (0..<Int32(random(1...10))).map { $0 + Int32(p * 100) } }
        var prompts = [Int: [Int32]]()
        var nextID = 0
        var cancelled = Set<Int>()
        for _ in 0..<400 {
            switch random(0...9) {
            case 0...2:
                var prompt = prefixes[random(0...2)]
                prompt += (0..<Int32(random(1...6))).map { 1000 + $0 + Int32(nextID) }
                let room = blocks * blockSize - prompt.count
                guard room > 1 else { continue }
                let leader = nextID > 0 && random(0...4) == 0 ? nextID - 1 : nil
                let samePrompt = leader.flatMap { prompts[$0] }
                let used = samePrompt ?? prompt
                try h.submit(nextID, prompt: used, generate: random(1...min(12, blocks * blockSize - used.count)),
                             priority: random(0...2), waitsFor: samePrompt == nil ? nil : leader)
                prompts[nextID] = used
                nextID += 1
            case 3:
                if let id = h.scheduler.requests.keys.randomElement(using: &rng) {
                    h.scheduler.remove(id)
                    cancelled.insert(id)
                }
            default:
                let step = h.step()
                #expect(step.tokenCount <= maxTokens)
                #expect(step.chunks.count <= h.scheduler.limits.maxSequences)
                #expect(Set(step.chunks.map(\.requestID)).count == step.chunks.count)
            }
            if let window {
                // A running request holds no block wholly before its next token's window.
                for id in h.scheduler.running {
                    let computed = h.scheduler.requests[id]!.computed
                    let table = h.scheduler.kv.blockTable(of: id)
                    let stale = max(0, computed + 1 - window) / blockSize
                    #expect(table.prefix(stale).allSatisfy { $0 == KVCacheManager.releasedBlock }, "request \(id) computed \(computed): \(table)")
                }
            }
            let problems = h.scheduler.invariantViolations() + h.kvProblems
            #expect(problems.isEmpty, "\(problems)")
            if !problems.isEmpty { return }
        }
        #expect(h.runToCompletion().isEmpty)
        #expect(h.kvProblems.isEmpty, "\(h.kvProblems.prefix(5))")
        #expect(h.scheduler.kv.pool.freeCount == blocks, "every block is free at the end")
        for (id, tokens) in h.finished {
            #expect(tokens == SchedulerHarness.expected(prompt: prompts[id]!, generate: h.outputLengths[id]!))
        }
        #expect(h.finished.count + cancelled.count == nextID)
    }
}
