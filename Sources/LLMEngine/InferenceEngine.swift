import Foundation
import LLMModels
import LLMRuntime
import LLMTokenizer

/// A request checked and tokenized, ready for ``InferenceEngine/add(_:id:)``.
public struct PreparedRequest: Sendable {
    public var promptTokenIDs: [Int]
    /// The request's parameters, `maxTokens` capped to the context left after the prompt.
    public var params: SamplingParams
    public var priority: Int
    /// When it was submitted, on the engine's monotonic clock (time to first token
    /// counts from here).
    public var arrival: Double
}

/// What a step produced for one completion of a request.
public struct EngineOutput: Sendable {
    public var requestID: Int
    public var output: GenerationOutput
    /// Set on a completion's last output.
    public var result: GenerationResult?
}

/// The engine core: many requests on one model, one synchronous ``step()`` at a time.
/// Each step the scheduler grants tokens (decode tokens of running requests, chunks of
/// waiting prompts), the batch builder lays them out in preallocated buffers, one
/// forward runs the mixed batch, and each request samples with its own parameters and
/// checks its own stop conditions. Not thread-safe: one thread drives it (see
/// ``EngineLoop``).
public final class InferenceEngine {
    public let model: any CausalLM
    public let tokenizer: Tokenizer
    public let options: EngineOptions
    public let kvCachePlan: KVCachePlan
    /// Prompt plus generated tokens one request may reach.
    public let maxModelLength: Int
    /// Most sequences one step holds (`maxSequences`, at most `maxBatchTokens`).
    public let maxSequences: Int
    public let eosTokenIDs: [Int]
    let cache: PagedKVCache
    private(set) var scheduler: Scheduler
    private let batchBuilder: ForwardBatchBuilder
    private let graphs: DecodeGraphs
    /// Device outputs of the sampler: one token id and its logprob per row.
    let sampledIDs: Tensor
    let sampledLogprobs: Tensor
    /// One row of logits on the host, for host sampling.
    var hostLogits: [Float]
    /// Live completions by sequence id (the scheduler's request id).
    var sequences: [Int: SequenceState] = [:]
    private var sequencesOfRequest: [Int: [Int]] = [:]
    /// The step left running on the device by the last ``step()`` (overlapping steps).
    private var inFlight: LaunchedStep?
    private let overlapSteps: Bool
    private var nextSequenceID = 0
    var counters = EngineMetrics()

    public init(model: any CausalLM, tokenizer: Tokenizer, eosTokenIDs: [Int], options: EngineOptions) throws {
        try options.validate()
        let spec = model.spec
        maxSequences = min(options.maxSequences, options.maxBatchTokens)
        kvCachePlan = try KVCachePlan.make(for: model, options: options, maxSequences: maxSequences)
        var length = min(spec.maxPositions, kvCachePlan.tokenCapacity)
        if let cap = options.maxModelLength {
            guard cap <= kvCachePlan.tokenCapacity else {
                throw EngineError.invalidOption(field: "maxModelLength", expected: "at most the \(kvCachePlan.tokenCapacity) tokens of the \(kvCachePlan)",
                                                found: "\(cap)")
            }
            length = min(length, cap)
        }
        self.model = model
        self.tokenizer = tokenizer
        self.options = options
        self.eosTokenIDs = eosTokenIDs
        maxModelLength = length
        let backend = model.backend
        cache = try PagedKVCache(backend: backend, layers: spec.layers, numBlocks: kvCachePlan.blockCount, blockSize: options.blockSize,
                                 kvHeads: spec.kvHeads, headDim: spec.headDim, dtype: kvCachePlan.dtype)
        if options.reserveKVCache {
            for layer in cache.keys + cache.values { try backend.zero(layer) }
        }
        scheduler = try Scheduler(limits: SchedulerLimits(maxTokens: options.maxBatchTokens, maxSequences: maxSequences, maxModelLength: length),
                                  kv: KVCacheManager(blockCount: kvCachePlan.blockCount, blockSize: options.blockSize,
                                                     prefixCaching: options.prefixCaching, slidingWindow: model.spec.slidingWindow))
        batchBuilder = try ForwardBatchBuilder(backend: backend, maxTokens: options.maxBatchTokens, maxSequences: maxSequences,
                                               maxBlocksPerSequence: (length + options.blockSize - 1) / options.blockSize,
                                               blockSize: options.blockSize)
        graphs = DecodeGraphs(enabled: options.recordDecodeSteps, capacity: options.maxRecordedSteps)
        overlapSteps = options.overlapSteps ?? backend.runsAsynchronously
        sampledIDs = try backend.allocate(shape: [maxSequences], dtype: .i32)
        sampledLogprobs = try backend.allocate(shape: [maxSequences], dtype: .f32)
        hostLogits = [Float](repeating: 0, count: spec.vocabSize)
    }

    /// Checks and tokenizes a request: prompt ids in the vocabulary and short enough to
    /// leave room for one generated token, parameters in range. Safe from any thread.
    public func prepare(_ request: GenerationRequest, arrival: Double = EngineClock.now()) throws -> PreparedRequest {
        do {
            try request.params.validate(vocabSize: model.spec.vocabSize)
        } catch {
            throw EngineError.invalidRequest(field: error.field, reason: error.description)
        }
        let ids: [Int]
        switch request.prompt {
        case let .text(text): ids = tokenizer.encode(text, addSpecialTokens: true)
        case let .tokens(tokens): ids = tokens
        }
        guard !ids.isEmpty else { throw EngineError.invalidRequest(field: "prompt", reason: "is empty") }
        if let bad = ids.first(where: { $0 < 0 || $0 >= model.spec.vocabSize }) {
            throw EngineError.invalidRequest(field: "prompt", reason: "token id \(bad) is outside the vocabulary 0..<\(model.spec.vocabSize)")
        }
        guard ids.count < maxModelLength else { throw EngineError.promptTooLong(tokens: ids.count, limit: maxModelLength) }
        var params = request.params
        let room = maxModelLength - ids.count
        params.maxTokens = min(params.maxTokens ?? room, room)
        params.minTokens = min(params.minTokens, params.maxTokens ?? room)
        return PreparedRequest(promptTokenIDs: ids, params: params, priority: request.priority, arrival: arrival)
    }

    /// Queues a prepared request under the caller's `id` as `params.n` completions. With
    /// prefix caching the completions after the first wait until the first has computed
    /// the prompt, then share its blocks.
    public func add(_ request: PreparedRequest, id: Int) throws {
        guard sequencesOfRequest[id] == nil else { throw EngineError.invalidRequest(field: "id", reason: "request \(id) is already running") }
        let prompt = request.promptTokenIDs.map(Int32.init)
        var ids = [Int]()
        for index in 0..<request.params.n {
            var params = request.params
            if let seed = params.seed { params.seed = seed &+ index }
            let sequenceID = nextSequenceID
            let leader = index > 0 && options.prefixCaching ? ids.first : nil
            do {
                try scheduler.submit(SchedulerRequest(id: sequenceID, prompt: prompt, priority: request.priority, waitsFor: leader))
            } catch {
                for queued in ids { scheduler.remove(queued); sequences[queued] = nil }
                throw error
            }
            nextSequenceID += 1
            sequences[sequenceID] = SequenceState(requestID: id, index: index, prompt: request.promptTokenIDs, params: params,
                                                  eosTokenIDs: eosTokenIDs, tokenizer: tokenizer, arrival: request.arrival)
            ids.append(sequenceID)
        }
        sequencesOfRequest[id] = ids
    }

    /// Drops a request's unfinished completions and frees their blocks. Returns false
    /// for an unknown (or already finished) id.
    @discardableResult
    public func abort(_ id: Int) -> Bool {
        guard let ids = sequencesOfRequest.removeValue(forKey: id) else { return false }
        for sequence in ids where sequences.removeValue(forKey: sequence) != nil {
            scheduler.remove(sequence)
            counters.abortedSequences += 1
        }
        return true
    }

    /// Aborts everything; returns the ids of the requests that were in flight.
    @discardableResult
    public func abortAll() -> [Int] {
        let ids = Array(sequencesOfRequest.keys)
        for id in ids { abort(id) }
        return ids
    }

    public var hasWork: Bool { scheduler.hasWork || inFlight != nil }
    /// Steps that ran a forward so far.
    public var stepCount: Int { counters.steps }

    /// Runs one step: schedule, one forward for the whole batch, sampling and stop
    /// checks. Returns one output per completion that sampled a token.
    ///
    /// With overlapping steps (``EngineOptions/overlapSteps``) the step after this one is
    /// enqueued as soon as this one's tokens are read, and left running on the device
    /// when this returns; only then are this step's stop strings checked, its tokens
    /// detokenized and its outputs made. A completion that a stop string ends has one
    /// token in that next step, which is dropped.
    public func step() throws -> [EngineOutput] {
        let running = inFlight
        inFlight = nil
        guard let current = try running ?? launch() else { return [] }
        let (tokens, readAt) = try collect(current)
        if overlapSteps { inFlight = try launch() }
        return complete(current, tokens: tokens, readAt: readAt)
    }

    /// Schedules a step and enqueues its forward and device sampling; nil when nothing
    /// can be scheduled.
    private func launch() throws -> LaunchedStep? {
        let scheduleStart = EngineClock.now()
        let plan = scheduler.schedule()
        guard !plan.isEmpty else { return nil }
        let now = EngineClock.now()
        counters.stepPhases.schedule += now - scheduleStart
        var chunks = [SequenceChunk]()
        chunks.reserveCapacity(plan.chunks.count)
        var logitRows = [Int]()
        // One-token chunks first: backends run a batch's leading decode tokens through
        // their decode attention and only the rest through prefill.
        for chunk in plan.chunks.filter({ $0.count == 1 }) + plan.chunks.filter({ $0.count != 1 }) {
            let request = scheduler.requests[chunk.requestID]!
            let state = sequences[chunk.requestID]!
            state.timing.recordScheduled(at: now)
            state.cachedPromptTokens = request.cachedPromptTokens
            chunks.append(SequenceChunk(tokens: Array(request.tokens[chunk.start ..< chunk.start + chunk.count]), startPosition: chunk.start,
                                        blockTable: scheduler.kv.blockTable(of: chunk.requestID), needsLogits: chunk.needsLogits))
            if chunk.needsLogits { logitRows.append(chunk.requestID) }
            counters.computedPromptTokens += max(0, min(chunk.start + chunk.count, request.promptCount) - chunk.start)
        }
        let batch = try batchBuilder.build(chunks)
        let built = EngineClock.now()
        let logits = try graphs.forward(model, batch, cache: cache)
        let onDevice = try enqueueSampling(logits, rows: logitRows)
        counters.stepPhases.buildBatch += built - now
        counters.stepPhases.forward += EngineClock.now() - built
        return LaunchedStep(plan: plan, logits: logits, rows: logitRows, onDevice: onDevice)
    }

    /// Reads a launched step's tokens and commits them to the scheduler; completions that
    /// these tokens end (EOS, stop token, length) leave the scheduler at once, so the next
    /// step does not schedule them. Returns one token per row, nil where the completion
    /// is gone (aborted, or ended by a stop string in the previous step), and when they
    /// were read.
    private func collect(_ step: LaunchedStep) throws -> (tokens: [SampledToken?], readAt: Double) {
        let start = EngineClock.now()
        let tokens = try readTokens(step.logits, rows: step.rows, onDevice: step.onDevice)
        let readAt = EngineClock.now()
        counters.stepPhases.sample += readAt - start
        var sampled = [Int: Int32](minimumCapacity: step.rows.count)
        var ending = [Int]()
        for (sequence, token) in zip(step.rows, tokens) {
            guard let token, let state = sequences[sequence] else { continue }
            state.record(token)
            sampled[sequence] = Int32(token.id)
            if state.finishes(on: token) { ending.append(sequence) }
        }
        scheduler.commit(step.plan, sampled: sampled)
        for sequence in ending { scheduler.remove(sequence) }
        counters.steps += 1
        counters.computedTokens += step.plan.tokenCount
        counters.lastStepTokens = step.plan.tokenCount
        counters.lastStepSequences = step.plan.chunks.count
        counters.stepPhases.finish += EngineClock.now() - readAt
        return (tokens, readAt)
    }

    /// Stop checks, detokenizing and outputs of a collected step.
    private func complete(_ step: LaunchedStep, tokens: [SampledToken?], readAt: Double) -> [EngineOutput] {
        let start = EngineClock.now()
        defer { counters.stepPhases.finish += EngineClock.now() - start }
        var results = [EngineOutput]()
        results.reserveCapacity(step.rows.count)
        for (sequence, token) in zip(step.rows, tokens) {
            guard let token, let state = sequences[sequence] else { continue }
            let output = state.accept(token, at: readAt)
            if state.tokenIDs.count == 1, let ttft = state.timing.timeToFirstToken {
                counters.timeToFirstToken.record(ttft)
            } else if let gap = state.timing.interTokenSeconds.last {
                counters.interTokenLatency.record(gap)
            }
            var result: GenerationResult?
            if let reason = output.finishReason {
                result = state.result(reason)
                finish(sequence, of: state.requestID)
            }
            results.append(EngineOutput(requestID: state.requestID, output: output, result: result))
        }
        counters.generatedTokens += results.count
        return results
    }

    /// The engine's counters now.
    public var metrics: EngineMetrics {
        var m = counters
        m.runningSequences = scheduler.running.count
        m.waitingSequences = scheduler.waiting.count
        m.kvBlocksTotal = scheduler.kv.pool.blockCount
        m.kvBlocksUsed = scheduler.kv.pool.usedCount
        m.kvBlocksCached = scheduler.kv.pool.cachedCount
        m.prefixQueriedTokens = scheduler.kv.queriedTokens
        m.prefixHitTokens = scheduler.kv.hitTokens
        m.preemptions = scheduler.preemptionCount
        return m
    }

    /// Decode-step recordings currently kept.
    public var recordedStepCount: Int { graphs.count }

    private func finish(_ sequence: Int, of request: Int) {
        scheduler.remove(sequence)
        sequences[sequence] = nil
        counters.finishedSequences += 1
        sequencesOfRequest[request]?.removeAll { $0 == sequence }
        if sequencesOfRequest[request]?.isEmpty == true { sequencesOfRequest[request] = nil }
    }
}
