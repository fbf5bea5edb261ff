import LLMRuntime

/// A set of named weights in Hugging Face naming and layout (`model.layers.0.self_attn.
/// q_proj.weight`, shape `[out, in]`), whatever the file format underneath.
public protocol WeightSource: AnyObject, Sendable {
    /// The file or folder the weights come from (for messages).
    var path: String { get }
    /// Every tensor name this source can return.
    var tensorNames: [String] { get }
    /// Whether a tensor called `name` exists.
    func contains(_ name: String) -> Bool
    /// The tensor called `name` in HF layout; a zero-copy view of the file where the
    /// layout allows it.
    /// - Throws: `CheckpointError.missingTensor` for unknown names, `unsupported` for
    ///   element types that cannot be read.
    func tensor(_ name: String) throws -> HostTensor
}

extension WeightSource {
    /// The tensor called `name` converted to f32 values, row-major.
    public func dequantized(_ name: String) throws -> [Float] {
        try tensor(name).dequantizedValues(file: path, name: name)
    }
}
