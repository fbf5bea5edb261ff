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
        var args = try linearArgs(x, weight: weight, bias: bias, out: out)
        args.scratch = try scratch(bytes: scratchBytes(args))
        guard llm_linear(pool, &args) else { throw RuntimeError.unsupportedDType(op: "linear", dtype: weight.dtype) }
    }

    /// Products of one input (a layer's q, k and v) in one pass where the interleaved
    /// kernel takes them all (the input quantised once, the threads sharing out all their
    /// rows); otherwise one after another.
    public func linear(_ x: Tensor, into outputs: [LinearOutput]) throws {
        var products = try outputs.map { try linearArgs(x, weight: $0.weight, bias: $0.bias, out: $0.out) }
        // One scratch area for all, sized for the largest: growing it for a later product
        // would free the one an earlier product points at.
        let area = try scratch(bytes: products.map(scratchBytes).max() ?? 0)
        for i in products.indices { products[i].scratch = area }
        if products.count > 1, llm_linear_shared_input(pool, &products, Int32(products.count)) { return }
        for (i, output) in outputs.enumerated() {
            guard llm_linear(pool, &products[i]) else { throw RuntimeError.unsupportedDType(op: "linear", dtype: output.weight.dtype) }
        }
    }

    private func scratchBytes(_ args: llm_linear_args) -> Int {
        llm_linear_scratch_bytes(args.w_type, args.tokens, args.in_features, Int32(options.threads))
    }

    /// The kernel's arguments for out = x · weightᵀ (+ bias), checked, with the weight's
    /// interleaved copy where the kernel has one; the caller sets the scratch area.
    private func linearArgs(_ x: Tensor, weight: Tensor, bias: Tensor?, out: Tensor) throws -> llm_linear_args {
        let (tokens, inFeatures, outFeatures) = try OpShapes.linear(x, weight: weight, bias: bias, out: out)
        let type = weight.dtype.kernelTypeID
        guard llm_linear_supported(type) else { throw RuntimeError.unsupportedDType(op: "linear", dtype: weight.dtype) }
        let interleaved = options.exactMatmul ? nil : try interleavedWeights.pointer(for: weight, rows: outFeatures, inFeatures: inFeatures)
        return llm_linear_args(
            x: try x.floats("linear"), tokens: Int64(tokens), in_features: Int64(inFeatures),
            w: try weight.cpuPointer("linear"), w_type: type, out_features: Int64(outFeatures),
            bias: try bias?.floats("linear"), out: try out.floats("linear"),
            scratch: nil, exact: options.exactMatmul, w_interleaved: interleaved)
    }

    public func rope(q: Tensor, k: Tensor, positions: Tensor, rope: RotaryParams) throws {
        let n = try OpShapes.rope(q: q, k: k, positions: positions, rope: rope)
        llm_rope(try q.floats("rope"), Int64(rope.queryHeads), try k.floats("rope"), Int64(rope.kvHeads), Int64(rope.headDim),
                 Int64(rope.rotaryDim), try positions.int32s("rope"), Int64(n), try rope.inverseFrequencies.floats("rope"), rope.attentionScale)
    }

    public func writeKV(key: Tensor, value: Tensor, keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws {
        let (n, kvDim) = try OpShapes.writeKV(key: key, value: value, keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping)
        let slots = try Self.checkedSlots(slotMapping, count: n, cache: keyCache, "writeKV")
        let cacheType = try Self.cacheType(keyCache, valueCache, "writeKV")
        llm_kv_write(try key.floats("writeKV"), try value.floats("writeKV"), Int64(kvDim), slots, Int64(n), cacheType,
                     try keyCache.cpuPointer("writeKV"), try valueCache.cpuPointer("writeKV"))
    }

    /// One pass over the tokens, split over the threads, with the step's angles computed
    /// once for all layers (``RopeAngleTable``).
    public func ropeAndWriteKV(q: Tensor, k: Tensor, v: Tensor, positions: Tensor, rope: RotaryParams,
                               keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws {
        let n = try OpShapes.rope(q: q, k: k, positions: positions, rope: rope)
        let (written, kvDim) = try OpShapes.writeKV(key: k, value: v, keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping)
        guard written == n, kvDim == rope.kvHeads * rope.headDim else {
            throw RuntimeError.shapeMismatch(op: "ropeAndWriteKV", expected: "\(n) slots of \(rope.kvHeads * rope.headDim) values",
                                             got: "\(written) slots of \(kvDim)")
        }
        let slots = try Self.checkedSlots(slotMapping, count: n, cache: keyCache, "ropeAndWriteKV")
        var args = llm_rope_write_args(
            q: try q.floats("ropeAndWriteKV"), q_heads: Int64(rope.queryHeads), k: try k.floats("ropeAndWriteKV"),
            v: try v.floats("ropeAndWriteKV"), kv_heads: Int64(rope.kvHeads), head_dim: Int64(rope.headDim),
            rotary_dim: Int64(rope.rotaryDim), tokens: Int64(n), cos: nil, sin: nil, slot_mapping: slots,
            cache_type: try Self.cacheType(keyCache, valueCache, "ropeAndWriteKV"),
            k_cache: try keyCache.cpuPointer("ropeAndWriteKV"), v_cache: try valueCache.cpuPointer("ropeAndWriteKV"))
        ropeAngles.withAngles(positions: try positions.int32s("ropeAndWriteKV"), count: n,
                              frequencies: try rope.inverseFrequencies.floats("ropeAndWriteKV"), pairs: rope.rotaryDim / 2,
                              scale: rope.attentionScale) { cos, sin in
            args.cos = cos
            args.sin = sin
            llm_rope_write_kv(pool, &args)
        }
    }

    /// The slot of each of `count` tokens, each checked to lie inside `cache`.
    static func checkedSlots(_ slotMapping: Tensor, count: Int, cache: Tensor, _ op: String) throws -> UnsafeMutablePointer<Int32> {
        let slots = try slotMapping.int32s(op)
        let capacity = cache.shape[0] * cache.shape[1]
        for i in 0..<count where slots[i] >= capacity {
            throw RuntimeError.invalidArgument(op: op, reason: "slot \(slots[i]) outside the cache of \(capacity) slots")
        }
        return slots
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
