import LLMRuntime

/// One tensor entry of a safetensors header.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    /// Tensor name as stored.
    public let name: String
    /// The dtype string as stored ("BF16", "I64", ...).
    public let dtypeName: String
    /// The matching element type, or nil when this engine cannot read the type.
    public let dtype: DType?
    /// Row-major shape.
    public let shape: [Int]
    /// Byte range relative to the start of the data section (after the header).
    public let dataOffsets: Range<Int>

    /// Bytes of data.
    public var byteCount: Int { dataOffsets.count }
    /// Number of elements.
    public var elementCount: Int { shape.reduce(1, *) }
}
