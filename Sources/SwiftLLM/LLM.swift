import Foundation

/// A loaded model ready to generate: `let llm = try LLM(model: "model.gguf")`, then
/// `llm.generate(["Hello"], params: .greedy)` or `for try await output in llm.stream(request)`.
public final class LLM: @unchecked Sendable {
    /// The checkpoint the weights came from; nil for random weights (`.dummy`).
    public let checkpoint: ModelCheckpoint?
    public let tokenizer: Tokenizer
    public let backend: any Backend
    public let model: any CausalLM
    /// Why this device was chosen (for `--device auto`).
    public let deviceChoice: String
    private let engine: InferenceEngine
    /// The tokenizer's chat template, parsed once at load (nil when it has none); a
    /// template that does not parse fails chat requests, not the load.
    let chatTemplate: Result<ChatTemplate, ChatTemplateError>?
    /// The engine runs one request at a time; its loop runs on the caller's or a
    /// dedicated thread, never on the Swift concurrency pool.
    private let lock = NSLock()

    public init(model path: String, options: LLMOptions = LLMOptions(), progress: ((LoadProgress) -> Void)? = nil) throws {
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
        let limits = ForwardLimits(maxTokens: options.engine.maxBatchTokens, maxLogitRows: 1)
        model = try ModelRegistry.build(configJSON: configJSON, weights: loader, limits: limits)
        var eos = generationConfig?.eosTokenIDs ?? []
        eos.append(contentsOf: tokenizer.eosTokenIDs.sorted())
        engine = try InferenceEngine(model: model, tokenizer: tokenizer, eosTokenIDs: Array(Set(eos)).sorted(), options: options.engine)
    }

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
    public var maxModelLength: Int { engine.maxModelLength }

    /// Generates for each prompt with the same parameters, in order.
    public func generate(_ prompts: [Prompt], params: SamplingParams) throws -> [GenerationResult] {
        try prompts.map { try generate(GenerationRequest(prompt: $0, params: params)) }
    }

    /// Generates one request on the calling thread, calling `onOutput` after each step.
    public func generate(_ request: GenerationRequest, onOutput: (GenerationOutput) throws -> Void = { _ in }) throws -> GenerationResult {
        lock.lock()
        defer { lock.unlock() }
        return try engine.generate(request, onOutput: onOutput)
    }

    /// Streams a request's outputs. Cancelling the consuming task stops the request at
    /// the next step and frees its cache blocks.
    public func stream(_ request: GenerationRequest) -> AsyncThrowingStream<GenerationOutput, Error> {
        AsyncThrowingStream { continuation in
            let cancelled = CancellationFlag()
            continuation.onTermination = { _ in cancelled.set() }
            let thread = Thread { [self] in
                do {
                    _ = try generate(request) { output in
                        if cancelled.isSet { throw CancellationError() }
                        continuation.yield(output)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            thread.name = "swiftllm-engine"
            thread.start()
        }
    }
}

/// A flag set from one thread and read on another.
final class CancellationFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}
