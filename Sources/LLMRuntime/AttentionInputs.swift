/// What a decoder layer computes before its attention, as one op
/// (``Backend/attentionInputs(_:_:)``): the q, k and v products of the normed hidden
/// states, each head of q and k RMS-normalised when the model has per-head norms (Qwen3,
/// Gemma 3), both rotated, and the rotated keys and the values stored in the cache slots.
/// On return `query` and `key` hold the rotated rows.
public struct AttentionInputs {
    public var query: LinearOutput
    public var key: LinearOutput
    public var value: LinearOutput
    /// Per-head RMSNorm weights `[headDim]` of q and k, applied before the rotation.
    public var headNorms: HeadNorms?
    public var positions: Tensor
    public var rope: RotaryParams
    public var keyCache: Tensor
    public var valueCache: Tensor
    public var slotMapping: Tensor

    public struct HeadNorms {
        public var query: Tensor
        public var key: Tensor
        public var eps: Float

        public init(query: Tensor, key: Tensor, eps: Float) {
            self.query = query
            self.key = key
            self.eps = eps
        }
    }

    public init(query: LinearOutput, key: LinearOutput, value: LinearOutput, headNorms: HeadNorms?, positions: Tensor,
                rope: RotaryParams, keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) {
        self.query = query
        self.key = key
        self.value = value
        self.headNorms = headNorms
        self.positions = positions
        self.rope = rope
        self.keyCache = keyCache
        self.valueCache = valueCache
        self.slotMapping = slotMapping
    }
}

extension Backend {
    public func attentionInputs(_ x: Tensor, _ inputs: AttentionInputs) throws {
        try composedAttentionInputs(x, inputs)
    }

    /// ``Backend/attentionInputs(_:_:)`` as its separate ops: the products, the head norms,
    /// then `ropeAndWriteKV`. Backends that fuse the op fall back to this for the shapes
    /// their kernel does not take.
    public func composedAttentionInputs(_ x: Tensor, _ p: AttentionInputs) throws {
        try linear(x, into: [p.query, p.key, p.value])
        if let norms = p.headNorms {
            try rmsNormHeads(p.query.out, weight: norms.query, eps: norms.eps)
            try rmsNormHeads(p.key.out, weight: norms.key, eps: norms.eps)
        }
        try ropeAndWriteKV(q: p.query.out, k: p.key.out, v: p.value.out, positions: p.positions, rope: p.rope,
                           keyCache: p.keyCache, valueCache: p.valueCache, slotMapping: p.slotMapping)
    }
}
