import LLMEngine
import LLMRuntime

/// Drives a scheduler with no model: the "model" picks each next token as a fixed
/// function of all tokens before it, so any request's final tokens are known in advance
/// and recomputation after preemption must reproduce them.
///
/// It also plays the KV cache: each computed position writes a fingerprint of the
/// tokens up to it into its slot, and each query position checks that every key it
/// attends to (all earlier positions, or the last `window` with a sliding window) is
/// in a held block whose slot holds that position's fingerprint. Stale or missing KV
/// (a block freed, reused or taken from the prefix cache wrongly) lands in `kvProblems`.
struct SchedulerHarness {
    var scheduler: Scheduler
    let window: Int?
    var slots: [Int: UInt64] = [:]
    var kvProblems: [String] = []
    /// Tokens each request generates before it finishes.
    var outputLengths: [Int: Int] = [:]
    var finished: [Int: [Int32]] = [:]
    var steps: [SchedulerStep] = []

    init(blocks: Int, blockSize: Int, maxTokens: Int, maxSequences: Int, maxModelLength: Int? = nil, prefixCaching: Bool = true,
         window: Int? = nil) throws {
        self.window = window
        let kv = KVCacheManager(blockCount: blocks, blockSize: blockSize, prefixCaching: prefixCaching, slidingWindow: window)
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
        for chunk in step.chunks { playAttention(chunk) }
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

    /// Checks the keys each new position reads, then writes its own slot.
    mutating func playAttention(_ chunk: ScheduledChunk) {
        let tokens = scheduler.requests[chunk.requestID]!.tokens
        let table = scheduler.kv.blockTable(of: chunk.requestID)
        let bs = scheduler.kv.blockSize
        var fingerprints = [UInt64](), h: UInt64 = 1469598103934665603
        for t in tokens[..<(chunk.start + chunk.count)] {
            h = (h ^ UInt64(UInt32(bitPattern: t))) &* 1099511628211
            fingerprints.append(h)
        }
        func slot(_ position: Int) -> Int? {
            let block = table[position / bs]
            return block == KVCacheManager.releasedBlock ? nil : Int(block) * bs + position % bs
        }
        for p in chunk.start..<(chunk.start + chunk.count) {
            let first = window.map { max(0, p + 1 - $0) } ?? 0
            for k in first..<p where slot(k).flatMap({ slots[$0] }) != fingerprints[k] {
                kvProblems.append("request \(chunk.requestID) position \(p): key \(k) is \(slot(k) == nil ? "released" : "stale")")
            }
            slots[slot(p)!] = fingerprints[p]
        }
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
