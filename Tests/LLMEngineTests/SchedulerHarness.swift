import LLMEngine
import LLMRuntime

/// Drives a scheduler with no model: the "model" picks each next token as a fixed
/// function of all tokens before it, so any request's final tokens are known in advance
/// and recomputation after preemption must reproduce them.
struct SchedulerHarness {
    var scheduler: Scheduler
    /// Tokens each request generates before it finishes.
    var outputLengths: [Int: Int] = [:]
    var finished: [Int: [Int32]] = [:]
    var steps: [SchedulerStep] = []

    init(blocks: Int, blockSize: Int, maxTokens: Int, maxSequences: Int, maxModelLength: Int? = nil, prefixCaching: Bool = true) throws {
        let kv = KVCacheManager(blockCount: blocks, blockSize: blockSize, prefixCaching: prefixCaching)
        scheduler = try Scheduler(limits: SchedulerLimits(maxTokens: maxTokens, maxSequences: maxSequences,
                                                          maxModelLength: maxModelLength ?? blocks * blockSize), kv: kv)
    }

    static func nextToken(after tokens: [Int32]) -> Int32 {
        var h: UInt64 = 1469598103934665603
        for t in tokens { h = (h ^ UInt64(UInt32(bitPattern: t))) &* 1099511628211 }
        return Int32(h % 997)
    }

    /// The tokens a request ends with when nothing interferes.
    static func expected(prompt: [Int32], generate count: Int) -> [Int32] {
        var tokens = prompt
        for _ in 0..<count { tokens.append(nextToken(after: tokens)) }
        return tokens
    }

    mutating func submit(_ id: Int, prompt: [Int32], generate count: Int, priority: Int = 0, waitsFor: Int? = nil) throws {
        try scheduler.submit(SchedulerRequest(id: id, prompt: prompt, priority: priority, waitsFor: waitsFor))
        outputLengths[id] = count
    }

    /// One step: schedule, "run" it, commit, finish requests that reached their length.
    /// Returns the step.
    @discardableResult
    mutating func step() -> SchedulerStep {
        let step = scheduler.schedule()
        var sampled = [Int: Int32]()
        for chunk in step.chunks where chunk.needsLogits {
            sampled[chunk.requestID] = Self.nextToken(after: scheduler.requests[chunk.requestID]!.tokens)
        }
        scheduler.commit(step, sampled: sampled)
        for id in sampled.keys {
            let request = scheduler.requests[id]!
            if request.tokens.count - request.promptCount == outputLengths[id] {
                finished[id] = request.tokens
                scheduler.remove(id)
            }
        }
        steps.append(step)
        return step
    }

    /// Steps until nothing is left (at most `limit` steps); returns the broken invariants seen.
    mutating func runToCompletion(limit: Int = 10_000) -> [String] {
        var problems = [String]()
        var count = 0
        while scheduler.hasWork, count < limit {
            step()
            problems += scheduler.invariantViolations()
            count += 1
        }
        if scheduler.hasWork { problems.append("not done after \(limit) steps") }
        return problems
    }
}
