import LLMCPU
import LLMRuntime

/// Runs ops on the reference and the candidate backend with identical inputs and
/// compares the outputs. Inputs are drawn once in f32 and rounded to the candidate's
/// activation type, so both backends see exactly the same numbers and the measured
/// error is the candidate's own arithmetic (and its output rounding).
struct SelfTestHarness {
    let reference: CPUBackend
    let candidate: any Backend
    /// The case inputs' generator (cases may draw their own distributions from it).
    var rng: SplitMix64

    init(reference: CPUBackend, candidate: any Backend, seed: UInt64) {
        self.reference = reference
        self.candidate = candidate
        self.rng = SplitMix64(state: seed)
    }

    /// The candidate's activation (and KV cache) type.
    var activationType: DType { candidate.activationDType }

    // MARK: inputs

    /// Uniform values in -scale...scale, representable in the activation type.
    mutating func values(_ count: Int, scale: Float = 1) -> [Float] {
        (0..<count).map { _ in ElementConversion.rounded(Float.random(in: -scale...scale, using: &rng), to: activationType) }
    }

    /// Uniform values in low...high, representable in bf16 (the weight type).
    mutating func weightValues(_ count: Int, low: Float, high: Float) -> [Float] {
        (0..<count).map { _ in ElementConversion.rounded(Float.random(in: low...high, using: &rng), to: .bf16) }
    }

    mutating func int(in range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func int(in range: Range<Int>) -> Int { Int.random(in: range, using: &rng) }
    mutating func unit() -> Double { Double(rng.next() >> 11) * 0x1.0p-53 }
    mutating func shuffled<T>(_ values: [T]) -> [T] { values.shuffled(using: &rng) }

    /// One tensor on each backend from `values`: f32 on the reference, `dtype` on the
    /// candidate (the activation type unless given).
    func pair(_ values: [Float], shape: [Int], candidateType: DType? = nil) throws -> (ref: Tensor, cand: Tensor) {
        let ref = try reference.tensor(values, shape: shape)
        let type = candidateType ?? activationType
        let cand = try candidate.allocate(shape: shape, dtype: type)
        try ElementConversion.bytes(values, as: type).withUnsafeBytes { try candidate.write($0, to: cand) }
        return (ref, cand)
    }

    func pair(_ values: [Int32], shape: [Int]) throws -> (ref: Tensor, cand: Tensor) {
        (try reference.tensor(values, shape: shape), try candidate.tensor(values, shape: shape))
    }

    /// A bf16 checkpoint-style weight uploaded to both backends (each converts it as it
    /// does real checkpoints).
    func weight(_ values: [Float], shape: [Int]) throws -> (ref: Tensor, cand: Tensor) {
        let buffer = HostBuffer(byteCount: values.count * 2)
        let bytes = ElementConversion.bytes(values, as: .bf16)
        bytes.withUnsafeBytes { buffer.pointer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        let host = HostTensor(shape: shape, dtype: .bf16, data: UnsafeRawPointer(buffer.pointer), owner: buffer)
        let pair = (ref: try reference.upload(weight: host), cand: try candidate.upload(weight: host))
        withExtendedLifetime(buffer) {}
        return pair
    }

    /// Output tensors: f32 on the reference, `candidateType` (default: activations) on the candidate.
    func outputs(shape: [Int], candidateType: DType? = nil) throws -> (ref: Tensor, cand: Tensor) {
        (try reference.allocate(shape: shape, dtype: .f32), try candidate.allocate(shape: shape, dtype: candidateType ?? activationType))
    }

    // MARK: outputs

    /// A tensor of either backend as f32 values (waits for it).
    static func read(_ tensor: Tensor, on backend: any Backend) throws -> [Float] {
        var raw = [UInt8](repeating: 0, count: tensor.byteCount)
        try raw.withUnsafeMutableBytes { try backend.read(tensor, into: $0) }
        return raw.withUnsafeBytes { ElementConversion.floats($0, dtype: tensor.dtype, count: tensor.elementCount) }
    }

    func read(_ pair: (ref: Tensor, cand: Tensor)) throws -> (ref: [Float], cand: [Float]) {
        (try Self.read(pair.ref, on: reference), try Self.read(pair.cand, on: candidate))
    }

    // MARK: tolerances

    /// How much rounding a case's outputs carry beyond identical inputs.
    enum Precision {
        /// Copies: no arithmetic.
        case exact
        /// f32 math, one rounding to the output type.
        case rounded
        /// A few roundings on the way (a stored bf16 intermediate, bf16 attention
        /// probabilities for the tensor-core product, long f32 sums in another order).
        case accumulated
    }

    /// Largest passing max-relative error for outputs of type `dtype`. One rounding to a
    /// type with unit roundoff u (2^-8 bf16, 2^-11 f16, 2^-24 f32) moves a value by at
    /// most u of itself, so u of the output scale; 2.5u allows for that plus f32 sums in a
    /// different order (bf16: about 1e-2). Accumulated cases allow 5u (bf16: 2e-2). f32
    /// outputs get a floor of 1e-5 (1e-4 accumulated) for reordered f32 sums.
    static func tolerance(_ precision: Precision, _ dtype: DType) -> Float {
        let u: Float
        switch dtype {
        case .bf16: u = 0x1p-8
        case .f16: u = 0x1p-11
        default: u = 0
        }
        switch precision {
        case .exact: return max(u * 0.5, 1e-6)
        case .rounded: return max(2.5 * u, 1e-5)
        case .accumulated: return max(5 * u, 1e-4)
        }
    }

    /// Compares output groups (several outputs of one case) and makes the row.
    func compare(op: String, name: String, _ outputs: [(ref: [Float], cand: [Float])], precision: Precision, dtype: DType? = nil) -> SelfTestRow {
        var worst: Float = 0
        var nan = false
        var note: String?
        for (ref, cand) in outputs {
            guard ref.count == cand.count else {
                note = "output sizes differ (\(ref.count) vs \(cand.count))"
                worst = .infinity
                continue
            }
            let scale = max(ref.lazy.filter(\.isFinite).map(abs).max() ?? 0, 1e-6)
            for (r, c) in zip(ref, cand) {
                if r.isFinite && !c.isFinite { nan = true; continue }
                if !r.isFinite { continue }
                worst = max(worst, abs(c - r) / scale)
            }
        }
        let tolerance = Self.tolerance(precision, dtype ?? activationType)
        return SelfTestRow(op: op, name: name, maxRelativeError: worst, tolerance: tolerance, hasNaN: nan,
                           passed: !nan && worst <= tolerance && note == nil, note: note)
    }
}
