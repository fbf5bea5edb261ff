import LLMRuntime

/// Launchers of Kernels/attention_inputs.cu: a one-token step's q/k/v products, head
/// norms, rotation and cache stores in one launch.
enum AttentionInputKernels {
    static let family = "attention_inputs"
    /// attention_inputs.cu's QKV_MAX_HEAD_DIM.
    static let maxHeadDim = 256
    /// Rows a warp computes in either kernel (attention_inputs.cu's QKV_NORM_ROWS and the
    /// rotation pairs of qkv_rope_kv).
    static let rowsPerWarp = 2

    /// Whether the kernel takes this call: one token, the GEMV's shape and alignment
    /// rules, outputs in the input's type on 16-byte boundaries, heads of whole 8-element
    /// vectors (a multiple of a block's rows) up to `maxHeadDim`, and norm
    /// weights of one head. Everything else runs the separate ops.
    static func accepts(_ x: Tensor, _ p: AttentionInputs) throws -> Bool {
        let products = [p.query, p.key, p.value]
        let headDim = p.rope.headDim
        guard x.shape.first == 1, headDim % 8 == 0, headDim % (GemvKernels.rowsPerBlock * rowsPerWarp) == 0, headDim <= maxHeadDim,
              p.rope.queryHeads + p.rope.kvHeads <= CUDABackend.gridCounterCount, p.positions.elementCount == 1, p.slotMapping.elementCount == 1,
              products.allSatisfy({ $0.out.dtype == x.dtype && $0.weight.shape.count == 2 }),
              // An e4m3 cache takes the separate ops (rope_kv rounds the stores).
              p.keyCache.dtype == x.dtype,
              p.headNorms.map({ $0.query.elementCount == headDim && $0.key.elementCount == headDim && $0.query.dtype == $0.key.dtype }) ?? true
        else { return false }
        for o in products {
            guard try GemvKernels.accepts(tokens: 1, inFeatures: o.weight.shape[1], x: x, weight: o.weight),
                  try o.out.deviceAddress("attentionInputs") & 15 == 0 else { return false }
        }
        return true
    }

    /// Without head norms `qkv_rope_kv_<act>`, one warp per pair of rows a rotation mixes;
    /// with them `qkv_norm_rope_kv_<act>_w<norm>`, one warp per two adjacent rows and the
    /// last block of each q or k head finishing it. Shapes are checked by the caller.
    static func launch(on backend: CUDABackend, x: Tensor, _ p: AttentionInputs, cache: RopeKVKernels.CacheTarget) throws {
        let act = try KernelNaming.suffix(x.dtype, op: "attentionInputs", allowed: KernelNaming.activationTypes)
        var arguments: [KernelArgument] = [.tensor(x), try .int(x.shape[1], "in features")]
        var rows = 0
        for o in [p.query, p.key, p.value] {
            arguments += [.tensor(o.weight), .pointer(o.bias), .int32(try GemvKernels.biasCode(o.bias)), .tensor(o.out)]
            rows += o.weight.shape[0]
        }
        arguments += [try .int(p.rope.queryHeads, "query heads"), try .int(p.rope.kvHeads, "kv heads"), try .int(p.rope.headDim, "head size")]
        let kernel: String, warps: Int
        if let norms = p.headNorms {
            let normType = try KernelNaming.suffix(norms.query.dtype, op: "attentionInputs head norm", allowed: KernelNaming.parameterTypes)
            kernel = "qkv_norm_rope_kv_\(act)_w\(normType)"
            warps = rows / rowsPerWarp
            arguments += [.tensor(norms.query), .tensor(norms.key), .float(norms.eps)]
        } else {
            kernel = "qkv_rope_kv_\(act)"
            warps = rows / rowsPerWarp
        }
        arguments += [.tensor(p.positions), .tensor(p.rope.inverseFrequencies), try .int(p.rope.rotaryDim / 2, "rotary half"),
                      .float(p.rope.attentionScale), .tensor(cache.keyCache), .tensor(cache.valueCache), .tensor(cache.slotMapping),
                      .int64(Int64(cache.slots))]
        if p.headNorms != nil { arguments.append(.tensor(try backend.gridCounters())) }
        arguments.append(try backend.statusArgument())
        let perBlock = GemvKernels.rowsPerBlock
        try backend.launch(family: family, kernel: kernel, grid: ((warps + perBlock - 1) / perBlock, 1, 1), block: (32 * perBlock, 1, 1),
                           arguments: arguments)
    }
}
