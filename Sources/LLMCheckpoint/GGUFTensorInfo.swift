import LLMRuntime

/// One entry of a GGUF file's tensor table.
public struct GGUFTensorInfo: Sendable, Equatable {
    /// Tensor name as stored (`blk.0.attn_q.weight`).
    public let name: String
    /// Dimensions in GGUF order: `ne0` (the contiguous one) first.
    public let dimensions: [Int]
    /// The ggml type id as stored.
    public let ggmlType: UInt32
    /// The matching element type, or nil when this engine cannot read the type.
    public let dtype: DType?
    /// Byte offset of the data, relative to the start of the data section.
    public let offset: Int
    /// Bytes of data, or nil when the ggml type's block layout is unknown.
    public let byteCount: Int?

    /// Shape in row-major order (the reverse of `dimensions`): GGUF `[576, 49152]`
    /// becomes `[49152, 576]`.
    public var shape: [Int] { dimensions.reversed() }

    /// Number of elements.
    public var elementCount: Int { dimensions.reduce(1, *) }

    /// The ggml type's name (`Q4_K`), or "unknown ggml type N".
    public var ggmlTypeName: String { GGMLType.name(ggmlType) }
}
