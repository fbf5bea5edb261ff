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

    /// A KV cache pair holds a type the kernels read beside these activations (the
    /// activation type or e4m3, ``KernelNaming/cacheSuffix(_:activations:op:)``), both alike.
    private func expectCache(_ keyCache: Tensor, _ valueCache: Tensor, activations: DType, _ op: String) throws {
        _ = try KernelNaming.cacheSuffix(keyCache.dtype, activations: activations, op: op)
        guard valueCache.dtype == keyCache.dtype else { throw RuntimeError.unsupportedDType(op: op, dtype: valueCache.dtype) }
    }

    public func embedding(ids: Tensor, table: Tensor, out: Tensor) throws {
        _ = try OpShapes.embedding(ids: ids, table: table, out: out)
        try expectType(ids, .i32, "embedding")
        try expectActivations([out], "embedding")
        try EmbeddingKernels.embedding(on: self, ids: ids, table: table, out: out)
    }

    public func rmsNorm(_ x: Tensor, residual: Tensor?, weight: Tensor, eps: Float, out: Tensor) throws {
        _ = try OpShapes.rmsNorm(x, residual: residual, weight: weight, out: out)
        try expectActivations([x, out] + (residual.map { [$0] } ?? []), "rmsNorm")
        try NormKernels.rmsNorm(on: self, x: x, residual: residual, weight: weight, eps: eps, out: out)
    }

    /// Both norms in one kernel when the two weights share a type.
    public func sandwichNorm(_ x: Tensor, weight: Tensor, residual: Tensor, nextWeight: Tensor, eps: Float, scratch: Tensor, out: Tensor) throws {
        _ = try OpShapes.rmsNorm(x, residual: nil, weight: weight, out: scratch)
        _ = try OpShapes.rmsNorm(scratch, residual: residual, weight: nextWeight, out: out)
        try expectActivations([x, residual, scratch, out], "sandwichNorm")
        guard weight.dtype == nextWeight.dtype else {
            try rmsNorm(x, residual: nil, weight: weight, eps: eps, out: scratch)
            return try rmsNorm(scratch, residual: residual, weight: nextWeight, eps: eps, out: out)
        }
        try NormKernels.sandwich(on: self, x: x, weight: weight, residual: residual, nextWeight: nextWeight, eps: eps, out: out)
    }

    public func rmsNormHeads(_ x: Tensor, weight: Tensor, eps: Float) throws {
        _ = try OpShapes.rmsNormHeads(x, weight: weight)
        try expectActivations([x], "rmsNormHeads")
        try NormKernels.rmsNormHeads(on: self, x: x, weight: weight, eps: eps)
    }

    /// Shape and type checks of one product; returns (tokens, in, out features).
    private func checkLinear(_ x: Tensor, weight: Tensor, bias: Tensor?, out: Tensor) throws -> (Int, Int, Int) {
        let shape = try OpShapes.linear(x, weight: weight, bias: bias, out: out)
        try expectActivations([x], "linear")
        guard weight.dtype == x.dtype else { throw RuntimeError.unsupportedDType(op: "linear", dtype: weight.dtype) }
        guard out.dtype == x.dtype || out.dtype == .f32 else { throw RuntimeError.unsupportedDType(op: "linear", dtype: out.dtype) }
        return shape
    }

    public func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, out: Tensor) throws {
        let (tokens, inFeatures, outFeatures) = try checkLinear(x, weight: weight, bias: bias, out: out)
        guard tokens > 0, outFeatures > 0 else { return }
        if try GemvKernels.accepts(tokens: tokens, inFeatures: inFeatures, x: x, weight: weight) {
            try GemvKernels.gemv(on: self, x: x, outputs: [LinearOutput(weight: weight, bias: bias, out: out)], k: inFeatures)
            return
        }
        // cuBLASLt adds a bias of the output's type in its epilogue; other bias types
        // take a separate pass.
        if let bias, bias.dtype == out.dtype {
            try blasLt().matmul(x: x, weight: weight, bias: bias, out: out)
        } else {
            try blasLt().matmul(x: x, weight: weight, bias: nil, out: out)
            if let bias { try ActivationKernels.biasAdd(on: self, out: out, bias: bias, rows: tokens, cols: outFeatures) }
        }
    }

    /// One-token steps compute up to three products in one GEMV launch.
    public func linear(_ x: Tensor, into outputs: [LinearOutput]) throws {
        var fusable = outputs.count <= GemvKernels.maxSegments && Set(outputs.map(\.out.dtype)).count == 1
        for o in outputs {
            let (tokens, inFeatures, outFeatures) = try checkLinear(x, weight: o.weight, bias: o.bias, out: o.out)
            fusable = try fusable && outFeatures > 0 && GemvKernels.accepts(tokens: tokens, inFeatures: inFeatures, x: x, weight: o.weight)
        }
        guard fusable, let first = outputs.first else {
            for o in outputs { try linear(x, weight: o.weight, bias: o.bias, out: o.out) }
            return
        }
        try GemvKernels.gemv(on: self, x: x, outputs: outputs, k: first.weight.shape[1])
    }

    /// One-token steps apply the activation in the GEMV's epilogue (no `scratch` pass).
    public func gatedLinear(_ x: Tensor, weight: Tensor, kind: GatedActivation, scratch: Tensor, out: Tensor) throws {
        let (tokens, inFeatures, _) = try checkLinear(x, weight: weight, bias: nil, out: scratch)
        let (_, ff) = try OpShapes.gatedActivation(scratch, out: out)
        try expectActivations([scratch, out], "gatedLinear")
        guard tokens > 0, ff > 0 else { return }
        if out.dtype == x.dtype, try GemvKernels.accepts(tokens: tokens, inFeatures: inFeatures, x: x, weight: weight) {
            try GemvKernels.gated(on: self, x: x, weight: weight, kind: kind, out: out, ff: ff, k: inFeatures)
            return
        }
        try linear(x, weight: weight, bias: nil, out: scratch)
        try gatedActivation(scratch, kind: kind, out: out)
    }

    private func checkRope(q: Tensor, k: Tensor, positions: Tensor, rope: RotaryParams) throws -> Int {
        let n = try OpShapes.rope(q: q, k: k, positions: positions, rope: rope)
        try expectType(positions, .i32, "rope")
        try expectType(rope.inverseFrequencies, .f32, "rope")
        try expectActivations([q, k], "rope")
        return n
    }

    private func checkWriteKV(key: Tensor, value: Tensor, keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor)
        throws -> (tokens: Int, kvDim: Int, target: RopeKVKernels.CacheTarget)
    {
        let (n, kvDim) = try OpShapes.writeKV(key: key, value: value, keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping)
        try expectType(slotMapping, .i32, "writeKV")
        try expectActivations([key, value], "writeKV")
        try expectCache(keyCache, valueCache, activations: key.dtype, "writeKV")
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

    /// One-token steps run the products, head norms, rotation and cache stores as one
    /// kernel (attention_inputs.cu); other steps run the separate ops.
    public func attentionInputs(_ x: Tensor, _ p: AttentionInputs) throws {
        // The separate ops check their own inputs.
        guard x.shape.first == 1 else { return try composedAttentionInputs(x, p) }
        for o in [p.query, p.key, p.value] { _ = try checkLinear(x, weight: o.weight, bias: o.bias, out: o.out) }
        let n = try checkRope(q: p.query.out, k: p.key.out, positions: p.positions, rope: p.rope)
        let (slots, kvDim, target) = try checkWriteKV(key: p.key.out, value: p.value.out, keyCache: p.keyCache,
                                                      valueCache: p.valueCache, slotMapping: p.slotMapping)
        try expect(slots == n && kvDim == p.rope.kvHeads * p.rope.headDim, "attentionInputs",
                   "\(n) slots and cache rows of \(p.rope.kvHeads * p.rope.headDim)", "\(slots) slots, rows of \(kvDim)")
        if let norms = p.headNorms {
            _ = try OpShapes.rmsNormHeads(p.query.out, weight: norms.query)
            _ = try OpShapes.rmsNormHeads(p.key.out, weight: norms.key)
        }
        guard try AttentionInputKernels.accepts(x, p) else { return try composedAttentionInputs(x, p) }
        try AttentionInputKernels.launch(on: self, x: x, p, cache: target)
    }

    public func attention(query: Tensor, keyCache: Tensor, valueCache: Tensor, metadata: AttentionMetadata,
                          params: AttentionParams, out: Tensor) throws {
        try OpShapes.attention(query: query, keyCache: keyCache, valueCache: valueCache, metadata: metadata, params: params, out: out)
        let n = metadata.numTokens, m = metadata
        for t in [m.positions, m.queryStart, m.blockTable, m.slotMapping] { try expectType(t, .i32, "attention") }
        try expectActivations([query, out], "attention")
        try expectCache(keyCache, valueCache, activations: query.dtype, "attention")
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
        let (n, ff) = try OpShapes.gatedActivation(x, out: out)
        try expectActivations([x, out], "gatedActivation")
        try ActivationKernels.gated(on: self, x: x, kind: kind, tokens: n, ff: ff, out: out)
    }

    public func add(_ a: Tensor, _ b: Tensor, out: Tensor) throws {
        try OpShapes.add(a, b, out: out)
        for t in [b, out] where t.dtype != a.dtype { throw RuntimeError.unsupportedDType(op: "add", dtype: t.dtype) }
        try ActivationKernels.add(on: self, a, b, out: out)
    }

    public func scale(_ x: Tensor, by factor: Float, softcap: Float?, out: Tensor) throws {
        try OpShapes.scale(x, softcap: softcap, out: out)
        guard out.dtype == x.dtype else { throw RuntimeError.unsupportedDType(op: "scale", dtype: out.dtype) }
        try ActivationKernels.scale(on: self, x, factor: factor, cap: softcap ?? 0, out: out)
    }

    public func gatherRows(_ x: Tensor, rows: Tensor, out: Tensor) throws {
        _ = try OpShapes.gatherRows(x, rows: rows, out: out)
        try expectType(rows, .i32, "gatherRows")
        guard out.dtype == x.dtype, !x.dtype.isQuantized else { throw RuntimeError.unsupportedDType(op: "gatherRows", dtype: out.dtype) }
        try ActivationKernels.gatherRows(on: self, x: x, rows: rows, out: out, sourceRows: x.shape.first ?? 0, rowBytes: x.rowBytes)
    }

    public func sample(logits: Tensor, params: DeviceSamplingBatch, out: Tensor, logprobs: Tensor?) throws {
        let (m, _) = try OpShapes.sample(logits: logits, params: params, out: out, logprobs: logprobs)
        try expectType(logits, .f32, "sample")
        try expectType(out, .i32, "sample")
        if let logprobs { try expectType(logprobs, .f32, "sample") }
        guard m == 0 || logits.shape[1] > 0 else { throw RuntimeError.invalidArgument(op: "sample", reason: "empty vocabulary") }
        try SamplingKernels.sample(on: self, logits: logits, params: params, out: out, logprobs: logprobs)
    }
}
