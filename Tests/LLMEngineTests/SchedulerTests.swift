import LLMEngine
import Testing

/// The scheduler's policies, one at a time, with no model.
@Suite struct SchedulerTests {
    static func prompt(_ count: Int, from start: Int32 = 0) -> [Int32] { (0..<Int32(count)).map { start + $0 } }

    @Test func runningRequestsDecodeFirstAndPromptsAreChunkedToTheBudget() throws {
        var h = try SchedulerHarness(blocks: 32, blockSize: 4, maxTokens: 8, maxSequences: 4)
        try h.submit(1, prompt: Self.prompt(3), generate: 10)
        #expect(h.step().chunks == [ScheduledChunk(requestID: 1, start: 0, count: 3, needsLogits: true)])
        try h.submit(2, prompt: Self.prompt(20, from: 100), generate: 2)
        #expect(h.step().chunks == [ScheduledChunk(requestID: 1, start: 3, count: 1, needsLogits: true),
                                    ScheduledChunk(requestID: 2, start: 0, count: 7, needsLogits: false)])
        #expect(h.step().chunks == [ScheduledChunk(requestID: 1, start: 4, count: 1, needsLogits: true),
                                    ScheduledChunk(requestID: 2, start: 7, count: 7, needsLogits: false)])
        #expect(h.step().chunks == [ScheduledChunk(requestID: 1, start: 5, count: 1, needsLogits: true),
                                    ScheduledChunk(requestID: 2, start: 14, count: 6, needsLogits: true)])
        #expect(h.runToCompletion().isEmpty)
        #expect(h.finished[1] == SchedulerHarness.expected(prompt: Self.prompt(3), generate: 10))
        #expect(h.finished[2] == SchedulerHarness.expected(prompt: Self.prompt(20, from: 100), generate: 2))
    }

    @Test func runningRequestsNeverExceedTheSequenceBudget() throws {
        var h = try SchedulerHarness(blocks: 32, blockSize: 4, maxTokens: 64, maxSequences: 2)
        for id in 0..<3 { try h.submit(id, prompt: Self.prompt(4, from: Int32(10 * id)), generate: 3) }
        #expect(h.step().chunks.map(\.requestID) == [0, 1])
        #expect(h.scheduler.waiting == [2])
        #expect(h.runToCompletion().isEmpty)
        #expect(h.steps.allSatisfy { $0.chunks.count <= 2 })
    }

    @Test func lowerPriorityValuesGoFirst() throws {
        var h = try SchedulerHarness(blocks: 32, blockSize: 4, maxTokens: 64, maxSequences: 1)
        try h.submit(1, prompt: Self.prompt(4), generate: 1, priority: 5)
        try h.submit(2, prompt: Self.prompt(4, from: 50), generate: 1, priority: 0)
        #expect(h.step().chunks.map(\.requestID) == [2])
        #expect(h.step().chunks.map(\.requestID) == [1])
    }

    @Test func theNewestLowestPriorityRequestIsPreemptedAndRecomputesTheSameTokens() throws {
        // Six blocks of two tokens; three requests of prompt 3 grow until the cache is full.
        var h = try SchedulerHarness(blocks: 6, blockSize: 2, maxTokens: 64, maxSequences: 8)
        for id in 0..<3 { try h.submit(id, prompt: Self.prompt(3, from: Int32(10 * id)), generate: 6) }
        var preempted = [Int]()
        while h.scheduler.hasWork {
            preempted += h.step().preempted
            #expect(h.scheduler.invariantViolations().isEmpty)
        }
        #expect(preempted.first == 2)
        #expect(h.scheduler.preemptionCount == preempted.count)
        for id in 0..<3 {
            #expect(h.finished[id] == SchedulerHarness.expected(prompt: Self.prompt(3, from: Int32(10 * id)), generate: 6))
        }
    }

    @Test func requestsThatCanNeverRunAreRejectedAtSubmission() throws {
        var s = try SchedulerHarness(blocks: 4, blockSize: 4, maxTokens: 16, maxSequences: 4, maxModelLength: 12).scheduler
        #expect(throws: EngineError.promptTooLong(tokens: 12, limit: 12)) { try s.submit(SchedulerRequest(id: 1, prompt: Self.prompt(12))) }
        #expect(throws: EngineError.invalidRequest(field: "prompt", reason: "is empty")) { try s.submit(SchedulerRequest(id: 1, prompt: [])) }
        try s.submit(SchedulerRequest(id: 1, prompt: Self.prompt(11)))
        #expect(throws: EngineError.self) { try s.submit(SchedulerRequest(id: 1, prompt: Self.prompt(2))) }
        #expect(s.requests.count == 1)
        // A context longer than the cache could never guarantee progress.
        #expect(throws: EngineError.self) { _ = try SchedulerHarness(blocks: 2, blockSize: 4, maxTokens: 16, maxSequences: 4, maxModelLength: 9) }
    }

    @Test func aSecondRequestWithTheSamePrefixComputesOnlyTheNewTokens() throws {
        var h = try SchedulerHarness(blocks: 32, blockSize: 4, maxTokens: 64, maxSequences: 4)
        let shared = Self.prompt(17)
        try h.submit(1, prompt: shared + [500, 501], generate: 1)
        #expect(h.runToCompletion().isEmpty)
        try h.submit(2, prompt: shared + [600, 601, 602], generate: 2)
        #expect(h.step().chunks == [ScheduledChunk(requestID: 2, start: 16, count: 4, needsLogits: true)])
        #expect(h.scheduler.requests[2]?.cachedPromptTokens == 16)
        #expect(h.scheduler.kv.hitTokens == 16)
    }

    @Test func parallelSamplesWaitForTheSharedPromptThenReuseItsBlocks() throws {
        var h = try SchedulerHarness(blocks: 32, blockSize: 4, maxTokens: 64, maxSequences: 4)
        let prompt = Self.prompt(10)
        try h.submit(1, prompt: prompt, generate: 3)
        try h.submit(2, prompt: prompt, generate: 3, waitsFor: 1)
        try h.submit(3, prompt: prompt, generate: 3, waitsFor: 1)
        #expect(h.step().chunks == [ScheduledChunk(requestID: 1, start: 0, count: 10, needsLogits: true)])
        let second = h.step().chunks
        #expect(second.map(\.requestID) == [1, 2, 3])
        #expect(second.dropFirst().allSatisfy { $0.start == 8 && $0.count == 2 })
        let table = h.scheduler.kv.blockTable(of: 1)
        #expect(h.scheduler.kv.blockTable(of: 2).prefix(2) == table.prefix(2))
        #expect(h.scheduler.kv.pool.refCount(table[0]) == 3)
        #expect(h.runToCompletion().isEmpty)
    }

    @Test func removingRequestsFreesEverything() throws {
        var h = try SchedulerHarness(blocks: 16, blockSize: 4, maxTokens: 8, maxSequences: 4, prefixCaching: false)
        for id in 0..<4 { try h.submit(id, prompt: Self.prompt(9, from: Int32(id * 20)), generate: 50) }
        for _ in 0..<5 { h.step() }
        for id in 0..<4 { let removed = h.scheduler.remove(id); #expect(removed) }
        let removed2 = h.scheduler.remove(0)
        #expect(!removed2)
        #expect(h.scheduler.kv.pool.freeCount == 16)
        #expect(h.scheduler.invariantViolations().isEmpty)
    }
}
