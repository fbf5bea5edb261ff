import LLMRuntime

/// Undoes the row permutation llama.cpp's converter applies to `attn_q` and `attn_k` of
/// llama-architecture models (so that its rotary kernel can rotate adjacent pairs).
///
/// Within each head of `headDim` rows, HF row `j * headDim/2 + i` (half `j` in 0...1, `i`
/// in `0..<headDim/2`) is stored at row `2 * i + j`.
struct LlamaRotaryPermutation {
    let headCount: Int
    let kvHeadCount: Int

    /// Heads of the tensor if it is a permuted one (`blk.N.attn_q.*` or `blk.N.attn_k.*`).
    func heads(forGGUFName name: String) -> Int? {
        guard name.hasPrefix("blk.") else { return nil }
        if name.hasSuffix(".attn_q.weight") || name.hasSuffix(".attn_q.bias") { return headCount }
        if name.hasSuffix(".attn_k.weight") || name.hasSuffix(".attn_k.bias") { return kvHeadCount }
        return nil
    }

    /// A copy of `tensor` with its rows (first dimension) back in HF order. Rows are
    /// moved whole, so this works for every element type, quantized ones included.
    func unpermute(_ tensor: HostTensor, heads: Int, file: String, name: String) throws -> HostTensor {
        guard let rows = tensor.shape.first, heads > 0, rows % heads == 0, (rows / heads) % 2 == 0 else {
            throw CheckpointError.malformed(
                file: file, field: "shape of tensor '\(name)'",
                expected: "rows divisible into \(heads) heads of even size", found: "\(tensor.shape)")
        }
        let byteCount = tensor.byteCount
        guard rows > 0, byteCount % rows == 0, tensor.shape.count > 1 || !tensor.dtype.isQuantized else {
            throw CheckpointError.unsupported(
                file: file, field: "tensor '\(name)'",
                value: "cannot reorder rows of a \(tensor.dtype.rawValue) tensor of shape \(tensor.shape)")
        }
        let rowBytes = byteCount / rows
        let headDim = rows / heads
        let half = headDim / 2
        let buffer = HostBuffer(byteCount: byteCount)
        for head in 0..<heads {
            let first = head * headDim
            for j in 0..<2 {
                for i in 0..<half {
                    let destination = first + j * half + i
                    let source = first + 2 * i + j
                    (buffer.pointer + destination * rowBytes).copyMemory(
                        from: tensor.data + source * rowBytes, byteCount: rowBytes)
                }
            }
        }
        return HostTensor(shape: tensor.shape, dtype: tensor.dtype, data: UnsafeRawPointer(buffer.pointer), owner: buffer)
    }
}
