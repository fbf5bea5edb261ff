import Foundation

/// A loaded model ready to generate: `let llm = try LLM(model: "model.gguf")`, then
/// `llm.generate(["Hello"], params: .greedy)` or `for try await output in llm.stream(request)`.
///
/// Every request goes to one engine running on its own thread: requests submitted
/// together, or while others run, are batched step by step (in-flight batching).
/// Everything here may be called from any thread.
public final class LLM: @unchecked Sendable {
    /// The checkpoint the weights came from; nil for random weights (`.dummy`).
    public let checkpoint: ModelCheckpoint?
    public let tokenizer: Tokenizer
    public let backend: any Backend
    public let model: any CausalLM
    /// Why this device was chosen (for `--device auto`).
    public let deviceChoice: String
    /// The tokenizer's chat template, parsed once at load (nil when it has none); a
    /// template that does not parse fails chat requests, not the load.
    let chatTemplate: Result<ChatTemplate, ChatTemplateError>?
    private let loop: EngineLoop

    public init(model path: String, options: LLMOptions = LLMOptions(), progress: ((LoadProgress) -> Void)? = nil) throws {
        // Before anything is read or sized from them (a negative batch size would reach
        // the model's buffer allocation first).
        try options.engine.validate()
        let configJSON: Data
        let generationConfig: GenerationConfig?
        switch options.loadFormat {
        case .auto:
            let opened = try ModelCheckpoint.open(path: path)
            checkpoint = opened
            configJSON = opened.configJSON
            generationConfig = opened.generationConfig
            tokenizer = try options.tokenizerPath.map(Tokenizer.forModel)
                ?? opened.gguf.map { try Tokenizer(gguf: $0) } ?? Tokenizer.forModel(at: opened.directory ?? path)
        case .dummy:
            (configJSON, generationConfig) = try Self.readFolderConfig(path)
            checkpoint = nil
            tokenizer = try Tokenizer.forModel(at: options.tokenizerPath ?? path)
        }
        chatTemplate = tokenizer.chatTemplate.map { source in Result { () throws(ChatTemplateError) in try ChatTemplate(source: source, name: "\(path): chat_template") } }
        (backend, deviceChoice) = try BackendSelection.make(options)
        let loader = WeightLoader(source: checkpoint?.weights, backend: backend, expectedCount: 1) { loaded, total in
            progress?(LoadProgress(loaded: loaded, total: total))
        }
        let engineOptions = options.engine
        // One logit row per running sequence at most.
        let limits = ForwardLimits(maxTokens: engineOptions.maxBatchTokens,
                                   maxLogitRows: min(engineOptions.maxSequences, engineOptions.maxBatchTokens))
        do {
            model = try ModelRegistry.build(configJSON: configJSON, weights: loader, limits: limits)
        } catch let ModelError.invalidConfig(field, expected, found) where checkpoint?.gguf != nil {
            // A GGUF's config was converted from its metadata: name the file and its key.
            let gguf = checkpoint!.gguf!
            throw CheckpointError.malformed(file: gguf.path, field: gguf.metadataKey(forConfigField: field) ?? "\(field) (converted from its metadata)",
                                            expected: expected, found: found)
        }
        var eos = generationConfig?.eosTokenIDs ?? []
        eos.append(contentsOf: tokenizer.eosTokenIDs.sorted())
        let engine = try InferenceEngine(model: model, tokenizer: tokenizer, eosTokenIDs: Array(Set(eos)).sorted(), options: engineOptions)
        loop = EngineLoop(engine: engine)
    }

    deinit { loop.shutdown(.cancelInFlight) }

    /// config.json (required) and generation_config.json (optional) of a model folder.
    static func readFolderConfig(_ folder: String) throws -> (Data, GenerationConfig?) {
        let config = URL(fileURLWithPath: folder).appendingPathComponent("config.json")
        guard let data = FileManager.default.contents(atPath: config.path) else {
            throw CheckpointError.missingFile(path: config.path, expected: "the model's config.json (random weights are made from it)")
        }
        let generation = URL(fileURLWithPath: folder).appendingPathComponent("generation_config.json").path
        return (data, FileManager.default.fileExists(atPath: generation) ? try GenerationConfig.load(path: generation) : nil)
    }

    /// Prompt plus generated tokens one request may reach.
    public var maxModelLength: Int { loop.engine.maxModelLength }
    /// How the KV cache was sized: blocks, tokens that fit, and from what budget.
    public var kvCachePlan: KVCachePlan { loop.engine.kvCachePlan }
    /// The engine's sizes and limits, as given at load (`maxSequences` capped at `maxBatchTokens`).
    public var engineOptions: EngineOptions {
        var options = loop.engine.options
        options.maxSequences = loop.engine.maxSequences
        return options
    }
    /// The engine's counters after its last step: queue lengths, KV blocks, prefix hit
    /// rate, tokens per step, latency histograms.
    public func metrics() -> EngineMetrics { loop.metrics() }

    /// Generates for every prompt with the same parameters, all submitted at once so the
    /// engine batches them. Results are in prompt order, then completion order (`n`
    /// per prompt).
    public func generate(_ prompts: [Prompt], params: SamplingParams) throws -> [GenerationResult] {
        try generate(prompts.map { GenerationRequest(prompt: $0, params: params) })
    }

    /// Generates for every request, all submitted at once; results in request order, then
    /// completion order. The first failure aborts the rest and is thrown.
    public func generate(_ requests: [GenerationRequest]) throws -> [GenerationResult] {
        let inbox = EventInbox()
        var ids = [Int]()
        do {
            for (position, request) in requests.enumerated() {
                ids.append(try loop.submit(request) { event in
                    // Only results and endings matter here: intermediate outputs are not queued.
                    if case .output(_, nil) = event { return }
                    inbox.post(position, event)
                })
            }
        } catch {
            ids.forEach(loop.abort)
            throw error
        }
        var results = [[GenerationResult]](repeating: [], count: requests.count)
        var pending = requests.count
        while pending > 0 {
            for (position, event) in inbox.takeAll() {
                switch event {
                case let .output(_, result?): results[position].append(result)
                case .output: break
                case .done: pending -= 1
                case let .failed(error):
                    ids.forEach(loop.abort)
                    throw error
                }
            }
        }
        return results.flatMap { $0.sorted { $0.index < $1.index } }
    }

    /// Generates one completion (`n` must be 1) on the engine thread, calling `onOutput`
    /// on the calling thread after each step; the calling thread waits. If `onOutput`
    /// throws, the request is aborted and the error rethrown.
    public func generate(_ request: GenerationRequest, onOutput: (GenerationOutput) throws -> Void = { _ in }) throws -> GenerationResult {
        guard request.params.n == 1 else {
            throw EngineError.invalidRequest(field: "n", reason: "one completion per call here; use generate([requests]) or stream for n > 1")
        }
        let inbox = EventInbox()
        let id = try loop.submit(request) { inbox.post(0, $0) }
        var result: GenerationResult?
        while true {
            for (_, event) in inbox.takeAll() {
                switch event {
                case let .output(output, finished):
                    do { try onOutput(output) } catch {
                        loop.abort(id)
                        throw error
                    }
                    if let finished { result = finished }
                case .done: return result!
                case let .failed(error): throw error
                }
            }
        }
    }

    /// Streams a request's outputs (all `n` completions, told apart by `index`) as the
    /// engine produces them. An invalid request ends the stream with its typed error.
    /// Cancelling the consuming task (or dropping the stream) aborts the request at the
    /// next step and frees its cache blocks.
    public func stream(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationOutput, Error> {
        AsyncThrowingStream { continuation in
            do {
                let id = try loop.submit(request) { event in
                    switch event {
                    case let .output(output, _): continuation.yield(output)
                    case .done: continuation.finish()
                    case let .failed(error): continuation.finish(throwing: error)
                    }
                }
                continuation.onTermination = { [loop] _ in loop.abort(id) }
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    /// Stops the engine: `.finishInFlight` (default) lets running and queued requests
    /// finish, `.cancelInFlight` ends them with `EngineError.stopped`. Requests submitted
    /// afterwards fail with `EngineError.stopped`. Returns once the engine thread exits.
    public func shutdown(_ mode: EngineLoop.ShutdownMode = .finishInFlight) {
        loop.shutdown(mode)
    }
}

/// Engine events of the requests one call waits for, handed from the engine thread to
/// the waiting caller.
private final class EventInbox: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [(position: Int, event: EngineEvent)] = []

    func post(_ position: Int, _ event: EngineEvent) {
        condition.lock()
        events.append((position, event))
        condition.signal()
        condition.unlock()
    }

    /// Waits for at least one event, then hands over all that arrived, in order.
    func takeAll() -> [(position: Int, event: EngineEvent)] {
        condition.lock()
        defer { condition.unlock() }
        while events.isEmpty { condition.wait() }
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }
}
