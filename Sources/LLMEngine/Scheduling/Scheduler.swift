/// Unified scheduling as in vLLM v1: each step grants each request a number of new
/// tokens, so prefill chunks and decode tokens share one batch. Running requests come
/// first (so decoding never stalls behind a long prompt), then waiting ones are admitted
/// in order, their prompts chunked to the step's token budget.
///
/// Two policies stay separate: the budget (`maxTokens` per step, `maxSequences` running)
/// decides how much work a step holds; capacity (free KV blocks) decides whether a
/// request's tokens can be stored. When a running request needs a block and none is
/// free, the last request in scheduling order (lowest priority, newest) is preempted:
/// its blocks are freed and it goes back to waiting with its tokens, to be recomputed
/// (from the prefix cache where its blocks survive) and continue where it stopped.
///
/// Pure bookkeeping over integer ids: it never touches the model.
public struct Scheduler: Sendable {
    public let limits: SchedulerLimits
    public private(set) var kv: KVCacheManager
    public private(set) var requests: [Int: SchedulerRequest] = [:]
    /// Running and waiting request ids, each in scheduling order.
    public private(set) var running: [Int] = []
    public private(set) var waiting: [Int] = []
    public private(set) var preemptionCount = 0
    private var nextArrival = 0

    /// Throws when the limits are not positive or one request at the context limit could
    /// not fit in the cache alone (then preemption could not guarantee progress).
    public init(limits: SchedulerLimits, kv: KVCacheManager) throws {
        for (field, value) in [("maxTokens", limits.maxTokens), ("maxSequences", limits.maxSequences), ("maxModelLength", limits.maxModelLength)] where value < 1 {
            throw EngineError.invalidOption(field: field, expected: "a positive count", found: "\(value)")
        }
        let capacity = kv.pool.blockCount * kv.blockSize
        guard limits.maxModelLength <= capacity else {
            throw EngineError.invalidOption(field: "maxModelLength", expected: "at most the \(capacity) tokens the KV cache holds",
                                            found: "\(limits.maxModelLength)")
        }
        self.limits = limits
        self.kv = kv
    }

    public var hasWork: Bool { !requests.isEmpty }

    /// Queues a request. Throws (queuing nothing) when its id is in use or its prompt
    /// can never run: no room for one generated token within the context, or more
    /// blocks than the whole cache.
    public mutating func submit(_ request: SchedulerRequest) throws {
        guard requests[request.id] == nil else {
            throw EngineError.invalidRequest(field: "id", reason: "request \(request.id) is already scheduled")
        }
        guard request.promptCount > 0 else { throw EngineError.invalidRequest(field: "prompt", reason: "is empty") }
        guard request.promptCount < limits.maxModelLength else {
            throw EngineError.promptTooLong(tokens: request.promptCount, limit: limits.maxModelLength)
        }
        let capacity = kv.pool.blockCount * kv.blockSize
        guard request.promptCount < capacity else { throw EngineError.promptExceedsCache(tokens: request.promptCount, capacity: capacity) }
        var queued = request
        queued.arrival = nextArrival
        queued.computed = 0
        queued.isRunning = false
        nextArrival += 1
        requests[queued.id] = queued
        Self.insert(queued.id, into: &waiting, by: requests)
    }

    /// The next step's grant. Chunks whose request cannot get a block preempt the
    /// newest lowest-priority running request; no waiting request is admitted in a step
    /// that preempted.
    public mutating func schedule() -> SchedulerStep {
        var step = SchedulerStep()
        var budget = limits.maxTokens
        var index = 0
        while index < running.count, budget > 0 {
            let request = requests[running[index]]!
            let count = min(request.uncomputed, budget)
            var granted = true
            while !kv.allocate(request.id, totalTokens: request.computed + count) {
                let victim = running.removeLast()
                preempt(victim)
                step.preempted.append(victim)
                if victim == request.id {
                    granted = false
                    break
                }
            }
            guard granted else { break }
            step.chunks.append(ScheduledChunk(requestID: request.id, start: request.computed, count: count,
                                              needsLogits: request.computed + count == request.tokens.count))
            budget -= count
            index += 1
        }
        if step.preempted.isEmpty { admitWaiting(into: &step, budget: budget) }
        return step
    }

    /// Records a finished step: each chunk's tokens are now in the cache, and each chunk
    /// that needed logits gets the token sampled from them (`sampled[requestID]`).
    /// Requests finished or aborted since `schedule()` are skipped.
    public mutating func commit(_ step: SchedulerStep, sampled: [Int: Int32]) {
        for chunk in step.chunks {
            guard requests[chunk.requestID]?.isRunning == true else { continue }
            // Updated in place: a copy out of the dictionary would copy the token array.
            requests[chunk.requestID]!.computed = chunk.start + chunk.count
            if chunk.needsLogits, let token = sampled[chunk.requestID] { requests[chunk.requestID]!.tokens.append(token) }
            let request = requests[chunk.requestID]!
            kv.cacheFullBlocks(chunk.requestID, tokens: request.tokens, computed: request.computed)
            kv.releaseOutOfWindow(chunk.requestID, computed: request.computed)
        }
    }

    /// Removes a request (finished, aborted or cancelled) and frees its blocks. Returns
    /// false for an unknown id.
    @discardableResult
    public mutating func remove(_ id: Int) -> Bool {
        guard let request = requests.removeValue(forKey: id) else { return false }
        if request.isRunning {
            running.removeAll { $0 == id }
        } else {
            waiting.removeAll { $0 == id }
        }
        kv.free(id)
        return true
    }

    /// Broken invariants, for tests and debugging: the KV manager's, queue membership,
    /// block coverage and the sequence budget.
    public func invariantViolations() -> [String] {
        var problems = kv.invariantViolations()
        if Set(running).union(waiting) != Set(requests.keys) || running.count + waiting.count != requests.count {
            problems.append("queues hold \(running.count) running + \(waiting.count) waiting for \(requests.count) requests")
        }
        if running.count > limits.maxSequences { problems.append("\(running.count) running, limit \(limits.maxSequences)") }
        for id in running {
            let r = requests[id]!
            if !r.isRunning { problems.append("request \(id) in the running queue marked waiting") }
            if kv.blockTable(of: id).count * kv.blockSize < r.computed { problems.append("request \(id): blocks do not cover its \(r.computed) computed tokens") }
        }
        for id in waiting where !kv.blockTable(of: id).isEmpty || requests[id]?.computed != 0 {
            problems.append("waiting request \(id) holds blocks or computed tokens")
        }
        for (queue, name) in [(running, "running"), (waiting, "waiting")] {
            for (a, b) in zip(queue, queue.dropFirst()) where !requests[a]!.precedes(requests[b]!) {
                problems.append("\(name) queue out of order at \(a), \(b)")
            }
        }
        return problems
    }

    private mutating func admitWaiting(into step: inout SchedulerStep, budget: Int) {
        var budget = budget
        var index = 0
        while index < waiting.count, budget > 0, running.count < limits.maxSequences {
            var request = requests[waiting[index]]!
            if let leader = request.waitsFor.flatMap({ requests[$0] }), leader.computed < leader.promptCount {
                index += 1
                continue
            }
            let hit = kv.prefixHit(tokens: request.tokens, extraKey: request.extraKey)
            let count = min(request.tokens.count - hit.tokenCount, budget)
            // First come, first served: a request that does not fit holds back the rest.
            guard kv.allocate(request.id, totalTokens: hit.tokenCount + count, hit: hit, extraKey: request.extraKey,
                              lookedUpTokens: request.tokens.count) else { break }
            waiting.remove(at: index)
            request.computed = hit.tokenCount
            if request.preemptions == 0 { request.cachedPromptTokens = hit.tokenCount }
            request.isRunning = true
            requests[request.id] = request
            Self.insert(request.id, into: &running, by: requests)
            step.chunks.append(ScheduledChunk(requestID: request.id, start: hit.tokenCount, count: count,
                                              needsLogits: hit.tokenCount + count == request.tokens.count))
            budget -= count
        }
    }

    private mutating func preempt(_ id: Int) {
        kv.free(id)
        var request = requests[id]!
        request.computed = 0
        request.isRunning = false
        request.preemptions += 1
        requests[id] = request
        preemptionCount += 1
        Self.insert(id, into: &waiting, by: requests)
    }

    /// Inserts `id` into a queue kept in scheduling order (binary search).
    private static func insert(_ id: Int, into queue: inout [Int], by requests: [Int: SchedulerRequest]) {
        let request = requests[id]!
        var low = 0, high = queue.count
        while low < high {
            let mid = (low + high) / 2
            if requests[queue[mid]]!.precedes(request) { low = mid + 1 } else { high = mid }
        }
        queue.insert(id, at: low)
    }
}
