/// The shape rules of the `Backend` ops, shared by every backend so that all of them
/// accept and reject exactly the same inputs. Each check returns the sizes it derived.
public enum OpShapes {
    static func require(_ ok: Bool, _ op: String, _ expected: @autoclosure () -> String, _ got: @autoclosure () -> String) throws {
        if !ok { throw RuntimeError.shapeMismatch(op: op, expected: expected(), got: got()) }
    }

    /// Bytes of a new tensor.
    public static func allocation(shape: [Int], dtype: DType) throws -> Int {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw RuntimeError.invalidArgument(op: "allocate", reason: "negative dimension in \(shape)")
        }
        // Checked: a corrupt size (a batch of 10^17 tokens) is an error here, not a trap;
        // at most Int.max / 16 elements, so byteCount (at most 4 bytes each) cannot overflow.
        var count = 1
        for dim in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow, product <= Int.max / 16 else {
                throw RuntimeError.invalidArgument(op: "allocate", reason: "\(shape) holds more elements than any memory")
            }
            count = product
        }
        guard count % dtype.blockElements == 0 else {
            throw RuntimeError.invalidArgument(op: "allocate", reason: "\(count) elements is not a whole number of \(dtype.rawValue) blocks")
        }
        return dtype.byteCount(elements: count)
    }

    public static func embedding(ids: Tensor, table: Tensor, out: Tensor) throws -> (tokens: Int, dim: Int) {
        let n = ids.elementCount, dim = table.shape.last ?? 0
        try require(table.shape.count == 2 && out.shape == [n, dim], "embedding", "table [vocab, dim], out [\(n), \(dim)]", "table \(table.shape), out \(out.shape)")
        return (n, dim)
    }

    public static func rmsNorm(_ x: Tensor, residual: Tensor?, weight: Tensor, out: Tensor) throws -> (rows: Int, dim: Int) {
        let dim = x.shape.last ?? 0
        try require(dim > 0 && weight.elementCount == dim && out.shape == x.shape && (residual?.shape ?? x.shape) == x.shape,
                    "rmsNorm", "x, residual, out of one shape and weight [\(dim)]", "x \(x.shape), weight \(weight.shape), out \(out.shape)")
        return (x.elementCount / dim, dim)
    }

    /// The head size of a per-head RMSNorm.
    public static func rmsNormHeads(_ x: Tensor, weight: Tensor) throws -> Int {
        let headDim = weight.elementCount
        try require(headDim > 0 && x.elementCount % headDim == 0, "rmsNormHeads", "a multiple of \(headDim) elements", "\(x.shape)")
        return headDim
    }

    public static func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, out: Tensor) throws -> (tokens: Int, inFeatures: Int, outFeatures: Int) {
        try require(weight.shape.count == 2, "linear", "2-D weight", "\(weight.shape)")
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        let tokens = x.shape.first ?? 0
        try require(x.shape == [tokens, inFeatures] && out.shape == [tokens, outFeatures] && (bias?.elementCount ?? outFeatures) == outFeatures,
                    "linear", "x [n, \(inFeatures)], out [n, \(outFeatures)]", "x \(x.shape), out \(out.shape)")
        return (tokens, inFeatures, outFeatures)
    }

    /// The number of tokens rotated.
    public static func rope(q: Tensor, k: Tensor, positions: Tensor, rope: RotaryParams) throws -> Int {
        let n = positions.elementCount
        try require(q.elementCount == n * rope.queryHeads * rope.headDim && k.elementCount == n * rope.kvHeads * rope.headDim
                    && rope.rotaryDim >= 0 && rope.rotaryDim <= rope.headDim && rope.rotaryDim <= 1024
                    && rope.inverseFrequencies.elementCount == rope.rotaryDim / 2,
                    "rope", "q/k of \(n) tokens and \(rope.rotaryDim / 2) frequencies", "q \(q.shape), k \(k.shape), freqs \(rope.inverseFrequencies.shape)")
        return n
    }

    public static func writeKV(key: Tensor, value: Tensor, keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws -> (tokens: Int, kvDim: Int) {
        try require(keyCache.shape.count >= 2 && keyCache.shape[1] > 0, "writeKV", "cache [blocks, blockSize, kvHeads, headDim]", "\(keyCache.shape)")
        let n = slotMapping.elementCount
        let kvDim = keyCache.rowElements / keyCache.shape[1]
        try require(key.elementCount == n * kvDim && value.elementCount == n * kvDim && keyCache.shape == valueCache.shape,
                    "writeKV", "k, v [\(n), \(kvDim)]", "k \(key.shape), v \(value.shape)")
        return (n, kvDim)
    }

    public static func attention(query: Tensor, keyCache: Tensor, valueCache: Tensor, metadata m: AttentionMetadata,
                                 params: AttentionParams, out: Tensor) throws {
        let n = m.numTokens
        try require(query.elementCount == n * params.queryHeads * params.headDim && out.elementCount == query.elementCount
                     && keyCache.shape.count == 4 && keyCache.shape[2] == params.kvHeads && keyCache.shape[3] == params.headDim
                     && keyCache.shape == valueCache.shape && params.kvHeads > 0 && params.queryHeads % params.kvHeads == 0,
                     "attention", "q/out [\(n), \(params.queryHeads)x\(params.headDim)], cache [blocks, size, \(params.kvHeads), \(params.headDim)]",
                     "q \(query.shape), out \(out.shape), cache \(keyCache.shape)")
        try require(m.positions.elementCount >= n && m.queryStart.elementCount == m.numSequences + 1 && m.numSequences > 0
                     && m.blockTable.shape.count == 2 && m.blockTable.shape[0] >= m.numSequences,
                     "attention", "positions [\(n)], queryStart [\(m.numSequences + 1)], blockTable [\(m.numSequences), blocks]",
                     "positions \(m.positions.shape), queryStart \(m.queryStart.shape), blockTable \(m.blockTable.shape)")
    }

    public static func gatedActivation(_ x: Tensor, out: Tensor) throws -> (tokens: Int, ff: Int) {
        let n = x.shape.first ?? 0, ff = out.shape.last ?? 0
        try require(x.shape == [n, 2 * ff] && out.shape == [n, ff], "gatedActivation", "x [n, 2*\(ff)], out [n, \(ff)]", "x \(x.shape), out \(out.shape)")
        return (n, ff)
    }

    public static func add(_ a: Tensor, _ b: Tensor, out: Tensor) throws {
        try require(a.shape == b.shape && a.shape == out.shape, "add", "equal shapes", "\(a.shape), \(b.shape), \(out.shape)")
    }

    public static func scale(_ x: Tensor, softcap: Float?, out: Tensor) throws {
        try require(x.shape == out.shape, "scale", "x and out of one shape", "\(x.shape), \(out.shape)")
        if let softcap, !(softcap > 0) {
            throw RuntimeError.invalidArgument(op: "scale", reason: "soft cap \(softcap) is not positive")
        }
    }

    public static func gatherRows(_ x: Tensor, rows: Tensor, out: Tensor) throws -> (count: Int, dim: Int) {
        let dim = x.rowElements, count = rows.elementCount
        try require(out.shape == [count, dim], "gatherRows", "out [\(count), \(dim)]", "\(out.shape)")
        return (count, dim)
    }

    public static func sample(logits: Tensor, params: DeviceSamplingBatch, out: Tensor, logprobs: Tensor?) throws -> (rows: Int, vocab: Int) {
        let m = params.rows
        try require(logits.shape.count == 2 && logits.shape[0] == m && out.elementCount == m && (logprobs?.elementCount ?? m) == m,
                    "sample", "logits [\(m), vocab], out and logprobs [\(m)]",
                    "logits \(logits.shape), out \(out.shape), logprobs \(logprobs?.shape ?? [])")
        try params.validateShapes(op: "sample")
        return (m, logits.shape[1])
    }
}
