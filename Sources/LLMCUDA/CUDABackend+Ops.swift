import LLMRuntime

/// The Backend ops on the GPU: the same shape checks as the CPU backend (typed errors,
/// never a crash), element-type checks for the kernels' instantiations, then one
/// launcher call (Launchers/) per op; GEMMs go through cuBLASLt. Nothing here waits for
/// the device. Inputs that only the device sees (token ids, slots, gather rows) are
/// checked by the kernels and reported through ``checkKernelStatus()``.
extension CUDABackend {
    private func expect(_ ok: Bool, _ op: String, _ expected: @autoclosure () -> String, _ got: @autoclosure () -> String) throws {
        if !ok { throw RuntimeError.shapeMismatch(op: op, expected: expected(), got: got()) }
    }

    private func expectType(_ tensor: Tensor, _ dtype: DType, _ op: String) throws {
        if tensor.dtype != dtype { throw RuntimeError.unsupportedDType(op: op, dtype: tensor.dtype) }
    }

    /// Activations must share one 2-byte float type the kernels are built for.
    private func expectActivations(_ tensors: [Tensor], _ op: String) throws {
        guard let first = tensors.first else { return }
        guard KernelNaming.activationTypes.contains(first.dtype) else { throw RuntimeError.unsupportedDType(op: op, dtype: first.dtype) }
        for t in tensors where t.dtype != first.dtype { throw RuntimeError.unsupportedDType(op: op, dtype: t.dtype) }
    }

    public func embedding(ids: Tensor, table: Tensor, out: Tensor) throws {
        let n = ids.elementCount, dim = table.shape.last ?? 0
        try expect(table.shape.count == 2 && out.shape == [n, dim], "embedding", "out [\(n), \(dim)]", "\(out.shape)")
        try expectType(ids, .i32, "embedding")
        try expectActivations([out], "embedding")
        try EmbeddingKernels.embedding(on: self, ids: ids, table: table, out: out)
    }

    public func rmsNorm(_ x: Tensor, residual: Tensor?, weight: Tensor, eps: Float, out: Tensor) throws {
        let dim = x.shape.last ?? 0
        try expect(weight.elementCount == dim && out.shape == x.shape && (residual?.shape ?? x.shape) == x.shape,
                   "rmsNorm", "x, residual, out of one shape and weight [\(dim)]", "x \(x.shape), weight \(weight.shape), out \(out.shape)")
        try expectActivations([x, out] + (residual.map { [$0] } ?? []), "rmsNorm")
        try NormKernels.rmsNorm(on: self, x: x, residual: residual, weight: weight, eps: eps, out: out)
    }

    public func rmsNormHeads(_ x: Tensor, weight: Tensor, eps: Float) throws {
        let headDim = weight.elementCount
        try expect(headDim > 0 && x.elementCount % headDim == 0, "rmsNormHeads", "a multiple of \(headDim) elements", "\(x.shape)")
        try expectActivations([x], "rmsNormHeads")
        try NormKernels.rmsNormHeads(on: self, x: x, weight: weight, eps: eps)
    }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, out: Tensor) throws {
        guard weight.shape.count == 2 else { throw RuntimeError.shapeMismatch(op: "linear", expected: "2-D weight", got: "\(weight.shape)") }
        let (outFeatures, inFeatures) = (weight.shape[0], weight.shape[1])
        let tokens = x.shape.first ?? 0
        try expect(x.shape == [tokens, inFeatures] && out.shape == [tokens, outFeatures] && (bias?.elementCount ?? outFeatures) == outFeatures,
                   "linear", "x [n, \(inFeatures)], out [n, \(outFeatures)]", "x \(x.shape), out \(out.shape)")
        try expectActivations([x], "linear")
        guard weight.dtype == x.dtype else { throw RuntimeError.unsupportedDType(op: "linear", dtype: weight.dtype) }
        guard out.dtype == x.dtype || out.dtype == .f32 else { throw RuntimeError.unsupportedDType(op: "linear", dtype: out.dtype) }
        guard tokens > 0, outFeatures > 0 else { return }
        // cuBLASLt adds a bias of the output's type in its epilogue; other bias types
        // take a separate pass.
        if let bias, bias.dtype == out.dtype {
            try blasLt().matmul(x: x, weight: weight, bias: bias, out: out)
        } else {
            try blasLt().matmul(x: x, weight: weight, bias: nil, out: out)
            if let bias { try ActivationKernels.biasAdd(on: self, out: out, bias: bias, rows: tokens, cols: outFeatures) }
        }
    }

    private func checkRope(q: Tensor, k: Tensor, positions: Tensor, rope: RotaryParams) throws -> Int {
        let n = positions.elementCount
        try expect(q.elementCount == n * rope.queryHeads * rope.headDim && k.elementCount == n * rope.kvHeads * rope.headDim
                   && rope.rotaryDim <= rope.headDim && rope.rotaryDim <= 1024 && rope.rotaryDim >= 0
                   && rope.inverseFrequencies.elementCount == rope.rotaryDim / 2,
                   "rope", "q/k of \(n) tokens and \(rope.rotaryDim / 2) frequencies", "q \(q.shape), k \(k.shape), freqs \(rope.inverseFrequencies.shape)")
        try expectType(positions, .i32, "rope")
        try expectType(rope.inverseFrequencies, .f32, "rope")
        try expectActivations([q, k], "rope")
        return n
    }

    private func checkWriteKV(key: Tensor, value: Tensor, keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor)
        throws -> (tokens: Int, kvDim: Int, target: RopeKVKernels.CacheTarget)
    {
        let n = slotMapping.elementCount
        guard keyCache.shape.count >= 2, keyCache.shape[1] > 0 else {
            throw RuntimeError.shapeMismatch(op: "writeKV", expected: "cache [blocks, blockSize, kvHeads, headDim]", got: "\(keyCache.shape)")
        }
        let kvDim = keyCache.rowElements / keyCache.shape[1]
        try expect(key.elementCount == n * kvDim && value.elementCount == n * kvDim && keyCache.shape == valueCache.shape,
                   "writeKV", "k, v [\(n), \(kvDim)]", "k \(key.shape), v \(value.shape)")
        try expectType(slotMapping, .i32, "writeKV")
        try expectActivations([key, value, keyCache, valueCache], "writeKV")
        let target = RopeKVKernels.CacheTarget(keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping,
                                               slots: keyCache.shape[0] * keyCache.shape[1])
        return (n, kvDim, target)
    }

    public func rope(q: Tensor, k: Tensor, positions: Tensor, rope: RotaryParams) throws {
        let n = try checkRope(q: q, k: k, positions: positions, rope: rope)
        try RopeKVKernels.launch(on: self, tokens: n, q: q, k: k, v: nil, positions: positions, rope: rope,
                                 qHeads: rope.queryHeads, kvHeads: rope.kvHeads, headDim: rope.headDim, cache: nil)
    }

    public func writeKV(key: Tensor, value: Tensor, keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws {
        let (n, kvDim, target) = try checkWriteKV(key: key, value: value, keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping)
        try RopeKVKernels.launch(on: self, tokens: n, q: nil, k: key, v: value, positions: nil, rope: nil,
                                 qHeads: 0, kvHeads: 1, headDim: kvDim, cache: target)
    }

    /// One kernel rotates q and k and stores the rotated keys and the values.
    public func ropeAndWriteKV(q: Tensor, k: Tensor, v: Tensor, positions: Tensor, rope: RotaryParams,
                               keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws {
        let n = try checkRope(q: q, k: k, positions: positions, rope: rope)
        let (slots, kvDim, target) = try checkWriteKV(key: k, value: v, keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping)
        try expect(slots == n && kvDim == rope.kvHeads * rope.headDim, "ropeAndWriteKV",
                   "\(n) slots and cache rows of \(rope.kvHeads * rope.headDim)", "\(slots) slots, rows of \(kvDim)")
        try RopeKVKernels.launch(on: self, tokens: n, q: q, k: k, v: v, positions: positions, rope: rope,
                                 qHeads: rope.queryHeads, kvHeads: rope.kvHeads, headDim: rope.headDim, cache: target)
    }

    public func attention(query: Tensor, keyCache: Tensor, valueCache: Tensor, metadata: AttentionMetadata,
                          params: AttentionParams, out: Tensor) throws {
        let n = metadata.numTokens
        try expect(query.elementCount == n * params.queryHeads * params.headDim && out.elementCount == query.elementCount
                   && keyCache.shape.count == 4 && keyCache.shape[2] == params.kvHeads && keyCache.shape[3] == params.headDim
                   && keyCache.shape == valueCache.shape && params.kvHeads > 0 && params.queryHeads % params.kvHeads == 0,
                   "attention", "q/out [\(n), \(params.queryHeads)x\(params.headDim)], cache [blocks, size, \(params.kvHeads), \(params.headDim)]",
                   "q \(query.shape), out \(out.shape), cache \(keyCache.shape)")
        let m = metadata
        try expect(m.positions.elementCount >= n && m.queryStart.elementCount == m.numSequences + 1 && m.numSequences > 0
                   && m.blockTable.shape.count == 2 && m.blockTable.shape[0] >= m.numSequences,
                   "attention", "positions [\(n)], queryStart [\(m.numSequences + 1)], blockTable [\(m.numSequences), blocks]",
                   "positions \(m.positions.shape), queryStart \(m.queryStart.shape), blockTable \(m.blockTable.shape)")
        for t in [m.positions, m.queryStart, m.blockTable, m.slotMapping] { try expectType(t, .i32, "attention") }
        try expectActivations([query, out, keyCache, valueCache], "attention")
        guard AttentionKernels.headDims.contains(params.headDim) else {
            throw RuntimeError.invalidArgument(op: "attention", reason: "head size \(params.headDim) has no GPU kernel (supported: \(AttentionKernels.headDims.sorted()))")
        }
        guard n > 0 else { return }
        let shape = AttentionKernels.Shape(
            tokens: n, sequences: m.numSequences, maxContext: max(m.maxContextLength, 1), queryHeads: params.queryHeads,
            kvHeads: params.kvHeads, headDim: params.headDim, blockSize: keyCache.shape[1], cacheBlocks: keyCache.shape[0],
            maxBlocksPerSequence: m.blockTable.shape[1], scale: params.scale, window: params.slidingWindow ?? 0,
            softcap: params.logitSoftcap ?? 0)
        try AttentionKernels.run(on: self, query: query, keyCache: keyCache, valueCache: valueCache, metadata: m, shape: shape, out: out)
    }

    public func gatedActivation(_ x: Tensor, kind: GatedActivation, out: Tensor) throws {
        let n = x.shape.first ?? 0, ff = out.shape.last ?? 0
        try expect(x.shape == [n, 2 * ff] && out.shape == [n, ff], "gatedActivation", "x [n, 2*\(ff)], out [n, \(ff)]", "x \(x.shape), out \(out.shape)")
        try expectActivations([x, out], "gatedActivation")
        try ActivationKernels.gated(on: self, x: x, kind: kind, tokens: n, ff: ff, out: out)
    }

    public func add(_ a: Tensor, _ b: Tensor, out: Tensor) throws {
        try expect(a.shape == b.shape && a.shape == out.shape, "add", "equal shapes", "\(a.shape), \(b.shape), \(out.shape)")
        for t in [b, out] where t.dtype != a.dtype { throw RuntimeError.unsupportedDType(op: "add", dtype: t.dtype) }
        try ActivationKernels.add(on: self, a, b, out: out)
    }

    public func gatherRows(_ x: Tensor, rows: Tensor, out: Tensor) throws {
        let dim = x.rowElements, count = rows.elementCount
        try expect(out.shape == [count, dim], "gatherRows", "out [\(count), \(dim)]", "\(out.shape)")
        try expectType(rows, .i32, "gatherRows")
        guard out.dtype == x.dtype, !x.dtype.isQuantized else { throw RuntimeError.unsupportedDType(op: "gatherRows", dtype: out.dtype) }
        try ActivationKernels.gatherRows(on: self, x: x, rows: rows, out: out, sourceRows: x.shape.first ?? 0, rowBytes: x.rowBytes)
    }

    public func sample(logits: Tensor, params: DeviceSamplingBatch, out: Tensor, logprobs: Tensor?) throws {
        let m = params.rows
        try expect(logits.shape.count == 2 && logits.shape[0] == m && out.elementCount == m && (logprobs?.elementCount ?? m) == m,
                   "sample", "logits [\(m), vocab], out and logprobs [\(m)]",
                   "logits \(logits.shape), out \(out.shape), logprobs \(logprobs?.shape ?? [])")
        try params.validateShapes(op: "sample")
        try expectType(logits, .f32, "sample")
        try expectType(out, .i32, "sample")
        if let logprobs { try expectType(logprobs, .f32, "sample") }
        guard m == 0 || logits.shape[1] > 0 else { throw RuntimeError.invalidArgument(op: "sample", reason: "empty vocabulary") }
        try SamplingKernels.sample(on: self, logits: logits, params: params, out: out, logprobs: logprobs)
    }
}
