import LLMRuntime

/// The weights of an HF safetensors checkpoint; names and layouts are used as stored.
public final class SafetensorsWeightSource: WeightSource {
    /// The underlying checkpoint.
    public let checkpoint: SafetensorsCheckpoint
    /// The folder or file path.
    public var path: String { checkpoint.path }
    /// Tensor names as stored.
    public var tensorNames: [String] { checkpoint.tensorNames }

    /// Wraps `checkpoint`.
    public init(_ checkpoint: SafetensorsCheckpoint) {
        self.checkpoint = checkpoint
    }

    /// Opens a model folder (see `SafetensorsCheckpoint(directory:)`) or a single
    /// `.safetensors` file.
    public convenience init(path: String) throws {
        if FileSystem.kind(of: path) == .directory {
            self.init(try SafetensorsCheckpoint(directory: path))
        } else {
            self.init(SafetensorsCheckpoint(file: try SafetensorsFile(path: path)))
        }
    }

    /// Whether a tensor called `name` is listed.
    public func contains(_ name: String) -> Bool { checkpoint.contains(name) }

    /// A zero-copy view of the tensor called `name`.
    public func tensor(_ name: String) throws -> HostTensor { try checkpoint.tensor(named: name) }
}
