/// A compute device. Models are written against this protocol only; the composition
/// root picks the concrete backend. Ops are enqueued in order and may run
/// asynchronously: only `read` and `synchronize` wait for results, so a GPU backend
/// needs no host synchronisation inside a forward pass. Activations are f32 on the CPU
/// and bf16/f16 on GPUs; weights keep their checkpoint format where a kernel reads it.
public protocol Backend: AnyObject, Sendable {
    /// Short name: "cpu", "cuda".
    var name: String { get }
    /// What runs the work, for logs: CPU model and threads, GPU name.
    var deviceDescription: String { get }
    /// Element type of activations on this backend.
    var activationDType: DType { get }
    /// Element types the attention op reads from a paged KV cache; the first is the
    /// default (`EngineOptions.kvCacheDType` picks another).
    var kvCacheDTypes: [DType] { get }

    /// Whether the engine should sample with `sample(...)` here rather than read the
    /// logits back: true where logits live across a bus (GPUs), false on the CPU, where
    /// the host sampler reads them in place.
    var samplesOnDevice: Bool { get }
    /// Whether ops return once enqueued (a GPU stream) rather than once done (the CPU):
    /// the engine then enqueues the next step before finishing the current one.
    var runsAsynchronously: Bool { get }
    /// Formats `upload(weight:)` accepts; others are converted to f32 on the host first.
    var weightTypes: Set<DType> { get }

    func allocate(shape: [Int], dtype: DType) throws -> Tensor
    /// Fills a tensor with uniform values in low...high from `seed` (random weights).
    func fillUniform(_ tensor: Tensor, seed: UInt64, low: Float, high: Float) throws
    /// Makes a checkpoint tensor usable by the kernels; zero-copy where possible.
    func upload(weight: HostTensor) throws -> Tensor
    func write(_ source: UnsafeRawBufferPointer, to tensor: Tensor) throws
    /// Sets every byte of `tensor` to zero (queued on devices). On the CPU this also makes
    /// lazily mapped memory resident.
    func zero(_ tensor: Tensor) throws
    /// Copies a tensor to the host, waiting for the work that produces it.
    func read(_ tensor: Tensor, into destination: UnsafeMutableRawBufferPointer) throws
    /// The elements of an f32 tensor where the host may read and edit them in place (the
    /// CPU's own memory; valid while the tensor's buffer lives), or nil where it must
    /// `read` a copy (devices; the default).
    func hostFloats(_ tensor: Tensor) throws -> UnsafeMutableBufferPointer<Float>?
    func synchronize() throws
    /// Device memory still free for allocation, in bytes, or nil where the backend has no
    /// such notion (the CPU: the engine then uses its configured KV budget). The engine
    /// plans its KV cache from this after a profiling step at the largest batch.
    func freeMemoryBytes() throws -> Int?
    /// Records the device work `body` enqueues for later replay with one launch; nil
    /// where the backend cannot record (the CPU), in which case `body` did not run.
    func record(_ body: () throws -> Void) throws -> (any RecordedWork)?

    /// out[t] = table[ids[t]] (ids i32 `[n]`, table `[vocab, dim]`, out `[n, dim]`).
    func embedding(ids: Tensor, table: Tensor, out: Tensor) throws
    /// With `residual`: residual += x, then out = rmsnorm(residual) * weight.
    func rmsNorm(_ x: Tensor, residual: Tensor?, weight: Tensor, eps: Float, out: Tensor) throws
    /// Between sandwich-normed blocks (Gemma): residual += rmsnorm(x) · weight, then out =
    /// rmsnorm(residual) · nextWeight. `scratch` (x's shape) may receive rmsnorm(x) ·
    /// weight. Backends that fuse the two norms override it; the default runs `rmsNorm`
    /// twice.
    func sandwichNorm(_ x: Tensor, weight: Tensor, residual: Tensor, nextWeight: Tensor, eps: Float, scratch: Tensor, out: Tensor) throws
    /// In-place RMSNorm over each `headDim` slice of `x` (per-head q/k norm).
    func rmsNormHeads(_ x: Tensor, weight: Tensor, eps: Float) throws
    /// out = x · weightᵀ (+ bias); x `[n, in]`, weight `[out, in]`, out `[n, out]`. `out`
    /// is in the activation type or f32 (logits).
    func linear(_ x: Tensor, weight: Tensor, bias: Tensor?, out: Tensor) throws
    /// Rotary embedding in place on q `[n, qHeads*headDim]` and k `[n, kvHeads*headDim]`.
    func rope(q: Tensor, k: Tensor, positions: Tensor, rope: RotaryParams) throws
    /// Stores K and V rows `[n, kvHeads*headDim]` into the cache slots of `slotMapping`.
    func writeKV(key: Tensor, value: Tensor, keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws
    /// Causal attention of the new tokens against the paged cache.
    func attention(query: Tensor, keyCache: Tensor, valueCache: Tensor, metadata: AttentionMetadata,
                   params: AttentionParams, out: Tensor) throws
    /// out = act(x[:, :ff]) * x[:, ff:] for x `[n, 2*ff]`.
    func gatedActivation(_ x: Tensor, kind: GatedActivation, out: Tensor) throws
    func add(_ a: Tensor, _ b: Tensor, out: Tensor) throws
    /// out = factor · x, then, with `softcap`, out = softcap · tanh(out / softcap), in f32
    /// and rounded once to out's type (Gemma's embedding scale and final logit cap). `x`
    /// and `out` have one shape and type (activations, or f32 logits); in place is allowed.
    func scale(_ x: Tensor, by factor: Float, softcap: Float?, out: Tensor) throws
    /// out[i] = x[rows[i]].
    func gatherRows(_ x: Tensor, rows: Tensor, out: Tensor) throws

    /// Mixture-of-experts routing of f32 router logits `[n, experts]`: per token the
    /// softmax in f32, the `topK` most probable experts (ties: the lower expert id first)
    /// into i32 `ids` `[n, topK]` in descending order, their probabilities into f32
    /// `weights` `[n, topK]`, divided by their sum when `normalize`. Stays on the device.
    func moeRoute(logits: Tensor, topK: Int, normalize: Bool, ids: Tensor, weights: Tensor) throws
    /// The routed experts' gated MLPs: out[t] = Σ_j weights[t, j] · down[e] ·
    /// act(gate[e] · x[t]) * (up[e] · x[t]) with e = ids[t, j], summed in j order.
    /// `gateUp` `[experts, 2*ff, in]` holds each expert's gate rows then up rows, `down`
    /// `[experts, in, ff]`; x and out `[n, in]`. Each active expert's weights are read
    /// once per call whatever the number of tokens routed to it.
    func moeExperts(_ x: Tensor, gateUp: Tensor, down: Tensor, ids: Tensor, weights: Tensor, kind: GatedActivation,
                    scratch: MoEScratch, out: Tensor) throws

    /// Several products of the same input (a layer's q, k and v): each output's `out` =
    /// x · weightᵀ (+ bias). Backends that fuse them override it; the default calls
    /// `linear` once per output.
    func linear(_ x: Tensor, into outputs: [LinearOutput]) throws
    /// out = act(x · gateᵀ) * (x · upᵀ) for `weight` `[2*ff, in]` holding the gate rows
    /// then the up rows, out `[n, ff]`. Backends that fuse the activation into the product
    /// override it; the default runs `linear` into `scratch` `[n, 2*ff]`, then
    /// `gatedActivation`.
    func gatedLinear(_ x: Tensor, weight: Tensor, kind: GatedActivation, scratch: Tensor, out: Tensor) throws
    /// `rope` then `writeKV` (the rotated keys), as one step: backends that fuse them
    /// override it; the default calls the two ops. `k` holds the rotated keys on return.
    func ropeAndWriteKV(q: Tensor, k: Tensor, v: Tensor, positions: Tensor, rope: RotaryParams,
                        keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws
    /// A layer's q/k/v products, per-head norms, rotation and cache stores (see
    /// ``AttentionInputs``). Backends that fuse them override it; the default,
    /// ``Backend/composedAttentionInputs(_:_:)``, runs the separate ops.
    func attentionInputs(_ x: Tensor, _ inputs: AttentionInputs) throws
    /// Samples one token per row of f32 `logits` `[m, vocab]` (not modified) into i32 `out`
    /// `[m]`, as the host sampler does after logit bias and min-tokens masking:
    /// penalties, then greedy argmax or temperature, min-p, top-k, top-p and an
    /// inverse-CDF draw with each row's uniform number. `logprobs` (f32 `[m]`, optional)
    /// receives each chosen token's log-softmax under the raw logits.
    func sample(logits: Tensor, params: DeviceSamplingBatch, out: Tensor, logprobs: Tensor?) throws
}

public enum GatedActivation: Sendable {
    case silu, geluTanh
}

/// One product of ``Backend/linear(_:into:)``: out = x · weightᵀ (+ bias).
public struct LinearOutput {
    public var weight: Tensor
    public var bias: Tensor?
    public var out: Tensor

    public init(weight: Tensor, bias: Tensor?, out: Tensor) {
        self.weight = weight
        self.bias = bias
        self.out = out
    }
}

/// Rotary embedding settings resolved for one step: the inverse frequencies are a
/// device tensor `[rotaryDim/2]` (recomputed by the model only for dynamic scaling).
public struct RotaryParams: Sendable {
    public var inverseFrequencies: Tensor
    public var headDim: Int
    public var rotaryDim: Int
    public var queryHeads: Int
    public var kvHeads: Int
    /// Multiplier of cos and sin (YaRN's attention factor; 1 otherwise).
    public var attentionScale: Float

    public init(inverseFrequencies: Tensor, headDim: Int, rotaryDim: Int, queryHeads: Int, kvHeads: Int, attentionScale: Float) {
        self.inverseFrequencies = inverseFrequencies
        self.headDim = headDim
        self.rotaryDim = rotaryDim
        self.queryHeads = queryHeads
        self.kvHeads = kvHeads
        self.attentionScale = attentionScale
    }
}

extension Backend {
    public func linear(_ x: Tensor, into outputs: [LinearOutput]) throws {
        for output in outputs { try linear(x, weight: output.weight, bias: output.bias, out: output.out) }
    }

    public func gatedLinear(_ x: Tensor, weight: Tensor, kind: GatedActivation, scratch: Tensor, out: Tensor) throws {
        try linear(x, weight: weight, bias: nil, out: scratch)
        try gatedActivation(scratch, kind: kind, out: out)
    }

    public func sandwichNorm(_ x: Tensor, weight: Tensor, residual: Tensor, nextWeight: Tensor, eps: Float, scratch: Tensor, out: Tensor) throws {
        try rmsNorm(x, residual: nil, weight: weight, eps: eps, out: scratch)
        try rmsNorm(scratch, residual: residual, weight: nextWeight, eps: eps, out: out)
    }

    /// Backends that cannot report free memory plan from a configured budget.
    public func freeMemoryBytes() throws -> Int? { nil }

    /// Device memory is not the host's: callers read a copy.
    public func hostFloats(_ tensor: Tensor) throws -> UnsafeMutableBufferPointer<Float>? { nil }

    public func ropeAndWriteKV(q: Tensor, k: Tensor, v: Tensor, positions: Tensor, rope: RotaryParams,
                               keyCache: Tensor, valueCache: Tensor, slotMapping: Tensor) throws {
        try self.rope(q: q, k: k, positions: positions, rope: rope)
        try writeKV(key: k, value: v, keyCache: keyCache, valueCache: valueCache, slotMapping: slotMapping)
    }

    /// Uploads host values into a new tensor.
    public func tensor(_ values: [Float], shape: [Int]) throws -> Tensor {
        let t = try allocate(shape: shape, dtype: .f32)
        try values.withUnsafeBytes { try write($0, to: t) }
        return t
    }

    public func tensor(_ values: [Int32], shape: [Int]) throws -> Tensor {
        let t = try allocate(shape: shape, dtype: .i32)
        try values.withUnsafeBytes { try write($0, to: t) }
        return t
    }

    /// Reads a f32 tensor back to the host.
    public func readFloats(_ tensor: Tensor) throws -> [Float] {
        guard tensor.dtype == .f32 else { throw RuntimeError.unsupportedDType(op: "readFloats", dtype: tensor.dtype) }
        var result = [Float](repeating: 0, count: tensor.elementCount)
        try result.withUnsafeMutableBytes { try read(tensor, into: $0) }
        return result
    }
}

/// Device work recorded once and replayed (CUDA graphs).
public protocol RecordedWork: AnyObject {
    func replay() throws
}
