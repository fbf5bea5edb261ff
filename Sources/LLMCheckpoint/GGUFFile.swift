import LLMRuntime

/// A GGUF checkpoint (versions 2 and 3): metadata, tensor table, and zero-copy access to
/// tensor data through a read-only memory mapping.
public final class GGUFFile: Sendable {
    /// Path the file was opened from.
    public var path: String { file.path }
    /// The mapping that backs every tensor returned by this file.
    public let file: MappedFile
    /// Format version (2 or 3).
    public let version: UInt32
    /// All metadata values by key.
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order.
    public let metadataKeys: [String]
    /// The tensor table in file order.
    public let tensors: [GGUFTensorInfo]
    /// Data alignment (`general.alignment`, default 32).
    public let alignment: Int
    /// Absolute byte offset of the tensor data section.
    public let dataOffset: Int

    private let tensorIndex: [String: Int]

    /// Opens and parses the GGUF file at `path`.
    /// - Throws: `CheckpointError` for unreadable, corrupt or unsupported files.
    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    /// Parses an already mapped (or in-memory) file.
    public init(file: MappedFile) throws {
        var parser = GGUFParser(file)
        let header = try parser.parse()
        self.file = file
        version = header.version
        metadata = header.metadata
        metadataKeys = header.metadataKeys
        tensors = header.tensors
        alignment = header.alignment
        dataOffset = header.dataOffset
        var index: [String: Int] = [:]
        for (position, info) in header.tensors.enumerated() { index[info.name] = position }
        tensorIndex = index
    }

    /// `general.architecture` (e.g. "llama", "qwen2").
    public var architecture: String? { metadata["general.architecture"]?.string }

    /// The table entry of the tensor called `name`, if present.
    public func info(named name: String) -> GGUFTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// A zero-copy view of the tensor called `name`, shape in row-major order (reverse
    /// of the GGUF dimensions). The tensor keeps the mapping alive.
    /// - Throws: `missingTensor`, or `unsupported` when the tensor's ggml type cannot be read.
    public func tensor(named name: String) throws -> HostTensor {
        guard let info = info(named: name) else { throw CheckpointError.missingTensor(file: path, name: name) }
        guard let dtype = info.dtype, info.byteCount != nil else {
            throw CheckpointError.unsupported(
                file: path, field: "type of tensor '\(name)'", value: "\(info.ggmlTypeName) (id \(info.ggmlType))")
        }
        // Ranges were checked against the file size when the header was parsed.
        return HostTensor(
            shape: info.shape, dtype: dtype, data: file.base + dataOffset + info.offset, owner: file)
    }

    /// The tensor called `name` converted to f32 values, row-major.
    public func dequantized(named name: String) throws -> [Float] {
        try tensor(named: name).dequantizedValues(file: path, name: name)
    }
}
