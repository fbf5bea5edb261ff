import CLLMKernels
import LLMRuntime

extension CPUBackend {
    public func embedding(ids: Tensor, table: Tensor, out: Tensor) throws {
        let (n, dim) = try OpShapes.embedding(ids: ids, table: table, out: out)
        guard llm_embedding(try ids.int32s("embedding"), Int64(n), try table.cpuPointer("embedding"), table.dtype.kernelTypeID,
                            Int64(table.shape[0]), Int64(dim), try out.floats("embedding")) else {
            throw RuntimeError.invalidArgument(op: "embedding", reason: "token id outside 0..<\(table.shape[0]) or table type \(table.dtype.rawValue) unsupported")
        }
    }

    public func rmsNorm(_ x: Tensor, residual: Tensor?, weight: Tensor, eps: Float, out: Tensor) throws {
        let (rows, dim) = try OpShapes.rmsNorm(x, residual: residual, weight: weight, out: out)
        llm_rms_norm(pool, try x.floats("rmsNorm"), try residual?.floats("rmsNorm"), try weight.floats("rmsNorm"), eps,
                     Int64(rows), Int64(dim), try out.floats("rmsNorm"))
    }

    public func rmsNormHeads(_ x: Tensor, weight: Tensor, eps: Float) throws {
        let headDim = try OpShapes.rmsNormHeads(x, weight: weight)
        llm_rms_norm_heads(try x.floats("rmsNormHeads"), try weight.floats("rmsNormHeads"), eps, Int64(x.elementCount / headDim), Int64(headDim))
    }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, out: Tensor) throws {
        let (tokens, inFeatures, outFeatures) = try OpShapes.linear(x, weight: weight, bias: bias, out: out)
        let type = weight.dtype.kernelTypeID
        guard llm_linear_supported(type) else { throw RuntimeError.unsupportedDType(op: "linear", dtype: weight.dtype) }
        let bytes = llm_linear_scratch_bytes(type, Int64(tokens), Int64(inFeatures), Int32(options.threads))
        let interleaved = options.exactMatmul ? nil : try interleavedWeights.pointer(for: weight, rows: outFeatures, inFeatures: inFeatures)
        var args = llm_linear_args(
            x: try x.floats("linear"), tokens: Int64(tokens), in_features: Int64(inFeatures),
            w: try weight.cpuPointer("linear"), w_type: type, out_features: Int64(outFeatures),
            bias: try bias?.floats("linear"), out: try out.floats("linear"),
            scratch: try scratch(bytes: bytes), exact: options.exactMatmul, w_interleaved: interleaved)
        guard llm_linear(pool, &args) else { throw RuntimeError.unsupportedDType(op: "linear", dtype: weight.dtype) }
    }

    public func rope(q: Tensor, k: Tensor, positions: Tensor, rope: RotaryParams) throws {
        let n = try OpShapes.rope(q: q, k: k, positions: positions, rope: rope)
        llm_rope(try q.floats("rope"), Int64(rope.queryHeads), try k.floats("rope"), Int64(rope.kvHeads), Int64(rope.headDim),
                 Int64(rope.rotaryDim), try positions.int32s("rope"), Int64(n), try rope.inverseFrequencies.floats("rope"), rope.attentionScale)
    }

    public func writeKV(key: Tensor, value: Tensor, keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws {
        let (n, kvDim) = try OpShapes.writeKV(key: key, value: value, keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping)
        let slots = try slotMapping.int32s("writeKV")
        let capacity = keyCache.shape[0] * keyCache.shape[1]
        for i in 0..<n where slots[i] >= capacity {
            throw RuntimeError.invalidArgument(op: "writeKV", reason: "slot \(slots[i]) outside the cache of \(capacity) slots")
        }
        let cacheType = try Self.cacheType(keyCache, valueCache, "writeKV")
        llm_kv_write(try key.floats("writeKV"), try value.floats("writeKV"), Int64(kvDim), slots, Int64(n), cacheType,
                     try keyCache.cpuPointer("writeKV"), try valueCache.cpuPointer("writeKV"))
    }

    public func attention(query: Tensor, keyCache: Tensor, valueCache: Tensor, metadata: AttentionMetadata,
                          params: AttentionParams, out: Tensor) throws {
        try OpShapes.attention(query: query, keyCache: keyCache, valueCache: valueCache, metadata: metadata, params: params, out: out)
        let n = metadata.numTokens
        var args = llm_attention_args(
            q: try query.floats("attention"), k_cache: try keyCache.cpuPointer("attention"),
            v_cache: try valueCache.cpuPointer("attention"), kv_type: try Self.cacheType(keyCache, valueCache, "attention"),
            block_table: try metadata.blockTable.int32s("attention"), max_blocks_per_seq: Int64(metadata.blockTable.shape.last ?? 0),
            query_start: try metadata.queryStart.int32s("attention"), positions: try metadata.positions.int32s("attention"),
            sequences: Int64(metadata.numSequences), tokens: Int64(n),
            q_heads: Int64(params.queryHeads), kv_heads: Int64(params.kvHeads), head_dim: Int64(params.headDim),
            block_size: Int64(keyCache.shape[1]), scale: params.scale,
            sliding_window: Int64(params.slidingWindow ?? 0), softcap: params.logitSoftcap ?? 0,
            out: try out.floats("attention"))
        llm_attention(pool, &args)
    }

    /// The kernels' element type of a pair of KV caches: both f32 or both f16.
    static func cacheType(_ keys: Tensor, _ values: Tensor, _ op: String) throws -> Int32 {
        guard keys.dtype == values.dtype else {
            throw RuntimeError.invalidArgument(op: op, reason: "key cache is \(keys.dtype), value cache \(values.dtype)")
        }
        guard keys.dtype == .f32 || keys.dtype == .f16 else { throw RuntimeError.unsupportedDType(op: op, dtype: keys.dtype) }
        return keys.dtype.kernelTypeID
    }

    public func gatedActivation(_ x: Tensor, kind: GatedActivation, out: Tensor) throws {
        let (n, ff) = try OpShapes.gatedActivation(x, out: out)
        switch kind {
        case .silu: llm_silu_mul(pool, try x.floats("silu"), Int64(n), Int64(ff), try out.floats("silu"))
        case .geluTanh: llm_gelu_tanh_mul(pool, try x.floats("gelu"), Int64(n), Int64(ff), try out.floats("gelu"))
        }
    }

    public func add(_ a: Tensor, _ b: Tensor, out: Tensor) throws {
        try OpShapes.add(a, b, out: out)
        llm_add(try a.floats("add"), try b.floats("add"), Int64(a.elementCount), try out.floats("add"))
    }

    public func scale(_ x: Tensor, by factor: Float, softcap: Float?, out: Tensor) throws {
        try OpShapes.scale(x, softcap: softcap, out: out)
        llm_scale_softcap(try x.floats("scale"), Int64(x.elementCount), factor, softcap ?? 0, try out.floats("scale"))
    }

    public func gatherRows(_ x: Tensor, rows: Tensor, out: Tensor) throws {
        let (count, dim) = try OpShapes.gatherRows(x, rows: rows, out: out)
        let ids = try rows.int32s("gatherRows")
        for i in 0..<count where ids[i] < 0 || Int(ids[i]) >= x.shape[0] {
            throw RuntimeError.invalidArgument(op: "gatherRows", reason: "row \(ids[i]) outside 0..<\(x.shape[0])")
        }
        llm_gather_rows(try x.floats("gatherRows"), Int64(dim), ids, Int64(count), try out.floats("gatherRows"))
    }
}
