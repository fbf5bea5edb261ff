/// Key/value storage of every layer in fixed-size blocks: each layer's keys and values
/// are `[numBlocks, blockSize, kvHeads, headDim]`. Which block holds which tokens is the
/// engine's bookkeeping (block tables), not the cache's.
public final class PagedKVCache: @unchecked Sendable {
    public let blockSize: Int
    public let numBlocks: Int
    public let keys: [Tensor]
    public let values: [Tensor]

    public init(backend: any Backend, layers: Int, numBlocks: Int, blockSize: Int, kvHeads: Int, headDim: Int, dtype: DType) throws {
        guard layers > 0, numBlocks > 0, blockSize > 0 else {
            throw RuntimeError.invalidArgument(op: "PagedKVCache", reason: "layers, blocks and block size must be positive (got \(layers), \(numBlocks), \(blockSize))")
        }
        self.blockSize = blockSize
        self.numBlocks = numBlocks
        let shape = [numBlocks, blockSize, kvHeads, headDim]
        keys = try (0..<layers).map { _ in try backend.allocate(shape: shape, dtype: dtype) }
        values = try (0..<layers).map { _ in try backend.allocate(shape: shape, dtype: dtype) }
    }

    /// Bytes one token occupies across all layers, keys and values.
    public static func bytesPerToken(layers: Int, kvHeads: Int, headDim: Int, dtype: DType) -> Int {
        2 * layers * dtype.byteCount(elements: kvHeads * headDim)
    }
}
