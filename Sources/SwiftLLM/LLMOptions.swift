/// How to load and run a model.
public struct LLMOptions: Sendable, Equatable {
    public enum Device: String, Sendable, CaseIterable {
        case cpu, auto
    }

    public var device: Device
    public var cpu: CPUBackend.Options
    public var engine: EngineOptions

    public init(device: Device = .auto, cpu: CPUBackend.Options = .init(), engine: EngineOptions = .init()) {
        self.device = device
        self.cpu = cpu
        self.engine = engine
    }
}

/// Loading progress: weights loaded so far out of the expected count.
public struct LoadProgress: Sendable {
    public var loaded: Int
    public var total: Int
}
