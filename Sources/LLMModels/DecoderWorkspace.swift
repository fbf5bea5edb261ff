import LLMRuntime

/// The sizes a decoder's activation buffers follow.
struct DecoderSizes {
    var hidden: Int
    var queryDim: Int
    var kvDim: Int
    var intermediate: Int
    var vocab: Int
}

/// Activation buffers of a decoder-only model, allocated once for the largest batch and
/// cut to each step's sizes.
struct DecoderWorkspace {
    let limits: ForwardLimits
    let residual, normed, q, k, v, attention, delta, gateUp, activated, lastHidden, logits: Tensor
    /// A second hidden-sized buffer for models that normalise a block's output before it
    /// joins the residual stream (Gemma's sandwich norms).
    let blockOutput: Tensor

    init(backend: any Backend, sizes s: DecoderSizes, limits: ForwardLimits, sandwichNorms: Bool = false) throws {
        self.limits = limits
        let t = limits.maxTokens, dtype = backend.activationDType
        func buffer(_ rows: Int, _ cols: Int) throws -> Tensor { try backend.allocate(shape: [rows, cols], dtype: dtype) }
        residual = try buffer(t, s.hidden)
        normed = try buffer(t, s.hidden)
        q = try buffer(t, s.queryDim)
        k = try buffer(t, s.kvDim)
        v = try buffer(t, s.kvDim)
        attention = try buffer(t, s.queryDim)
        delta = try buffer(t, s.hidden)
        gateUp = try buffer(t, 2 * s.intermediate)
        activated = try buffer(t, s.intermediate)
        lastHidden = try buffer(limits.maxLogitRows, s.hidden)
        // Logits stay f32 on every backend: sampling decisions are made in f32.
        logits = try backend.allocate(shape: [limits.maxLogitRows, s.vocab], dtype: .f32)
        blockOutput = sandwichNorms ? try buffer(t, s.hidden) : delta
    }

    /// The same buffers cut to this step's sizes.
    func view(tokens n: Int, logitRows m: Int) -> DecoderWorkspace {
        DecoderWorkspace(limits: limits, residual: residual.rows(0..<n), normed: normed.rows(0..<n), q: q.rows(0..<n),
                         k: k.rows(0..<n), v: v.rows(0..<n), attention: attention.rows(0..<n), delta: delta.rows(0..<n),
                         gateUp: gateUp.rows(0..<n), activated: activated.rows(0..<n),
                         lastHidden: lastHidden.rows(0..<m), logits: logits.rows(0..<m), blockOutput: blockOutput.rows(0..<n))
    }

    /// The step's views after checking that it fits the buffers.
    func view(for batch: ForwardBatch) throws -> DecoderWorkspace {
        let n = batch.numTokens, m = batch.numLogitRows
        guard n <= limits.maxTokens else { throw ModelError.batchTooLarge(field: "tokens", limit: limits.maxTokens, requested: n) }
        guard m <= limits.maxLogitRows else { throw ModelError.batchTooLarge(field: "logit rows", limit: limits.maxLogitRows, requested: m) }
        return view(tokens: n, logitRows: m)
    }

    private init(limits: ForwardLimits, residual: Tensor, normed: Tensor, q: Tensor, k: Tensor, v: Tensor, attention: Tensor,
                 delta: Tensor, gateUp: Tensor, activated: Tensor, lastHidden: Tensor, logits: Tensor, blockOutput: Tensor) {
        self.limits = limits
        self.residual = residual; self.normed = normed; self.q = q; self.k = k; self.v = v
        self.attention = attention; self.delta = delta; self.gateUp = gateUp; self.activated = activated
        self.lastHidden = lastHidden; self.logits = logits; self.blockOutput = blockOutput
    }
}
