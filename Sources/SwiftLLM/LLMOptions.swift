/// How to load and run a model.
public struct LLMOptions: Sendable, Equatable {
    public enum Device: String, Sendable, CaseIterable {
        case cpu, cuda, auto
    }

    /// Where weights come from: the checkpoint, or random values of the config's shapes.
    public enum LoadFormat: String, Sendable, CaseIterable {
        case auto, dummy
    }

    public var device: Device
    /// CUDA device ordinal.
    public var gpu: Int
    public var cpu: CPUBackend.Options
    public var engine: EngineOptions
    public var loadFormat: LoadFormat
    /// Where to read the tokenizer from instead of the model path (a GGUF file or a
    /// folder with tokenizer.json), e.g. for random-weight configs that ship none.
    public var tokenizerPath: String?

    public init(device: Device = .auto, gpu: Int = 0, cpu: CPUBackend.Options = .init(), engine: EngineOptions = .init(), loadFormat: LoadFormat = .auto, tokenizerPath: String? = nil) {
        self.device = device
        self.gpu = gpu
        self.cpu = cpu
        self.engine = engine
        self.loadFormat = loadFormat
        self.tokenizerPath = tokenizerPath
    }
}

/// Loading progress: weights loaded so far out of the expected count.
public struct LoadProgress: Sendable {
    public var loaded: Int
    public var total: Int
}
