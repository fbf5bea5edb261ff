import LLMRuntime

/// Host-side token sampler for one request; the reference the device sampler is tested
/// against.
///
/// Each step, in vLLM's order:
/// 1. logprobs (log-softmax of the raw logits: the chosen token's and the top-N),
/// 2. logit bias, 3. min-tokens masking of EOS / stop ids, 4. repetition, frequency and
///    presence penalties (these three edit the caller's buffer in place),
/// 5. greedy argmax (temperature 0, lowest id on ties), or: temperature, min-p, top-k,
///    top-p, and a draw.
///
/// The draw uses exactly one uniform double `u` in `[0, 1)` per non-greedy step from the
/// request's own ``Xoshiro256StarStar`` and picks the first surviving token, in increasing
/// id order, whose cumulative probability exceeds `u` (inverse CDF). Top-k keeps exactly
/// `k` tokens (ties broken by lower id, so top-k 1 equals greedy); top-p keeps the smallest
/// most-likely-first prefix whose probability reaches `topP`.
public struct Sampler: Sendable {
    /// The request's settings.
    public let params: SamplingParams
    /// The seed in use: `params.seed` when given, otherwise one drawn at creation.
    public let seed: UInt64
    /// Ids masked while fewer than `minTokens` tokens have been generated: the stop token
    /// ids, plus the EOS ids unless `ignoreEOS`.
    public let minTokensMaskedIDs: [Int]

    private var rng: Xoshiro256StarStar
    /// Probability workspace, reused between steps.
    private var scratch: [Float] = []
    /// Raw values of logits the processors changed this step, first change first.
    private var savedIDs: [Int] = []
    private var savedValues: [Float] = []

    /// Creates the sampler of one request. `eosTokenIDs` are the model's end-of-sequence
    /// ids (masked until `minTokens` is reached unless `ignoreEOS`). Validate `params`
    /// first; out-of-vocabulary ids are skipped here rather than trapping.
    public init(params: SamplingParams, eosTokenIDs: [Int] = []) {
        self.params = params
        if let seed = params.seed {
            self.seed = UInt64(bitPattern: Int64(seed))
        } else {
            var system = SystemRandomNumberGenerator()
            self.seed = system.next()
        }
        rng = Xoshiro256StarStar(seed: seed)
        var masked = params.stopTokenIDs
        if !params.ignoreEOS { masked += eosTokenIDs }
        var seen = Set<Int>()
        minTokensMaskedIDs = masked.filter { seen.insert($0).inserted }
    }

    /// Chooses the next token.
    ///
    /// - Parameters:
    ///   - logits: one row of raw logits, one per vocabulary entry. Used as working memory:
    ///     on return it holds the logits after bias, masking and penalties (before
    ///     temperature and truncation).
    ///   - context: the request's token counts and whether EOS may be sampled yet.
    ///   - reportLogprob: whether to compute the chosen token's logprob when the request
    ///     asks for no logprobs (a pass over the whole vocabulary); when false it is NaN.
    /// - Returns: the token, its raw logprob and the requested top logprobs. An empty
    ///   buffer yields id 0 with logprob `-inf`.
    public mutating func sample(logits: UnsafeMutableBufferPointer<Float>, context: SamplingContext, reportLogprob: Bool = true) -> SampledToken {
        let n = logits.count
        guard n > 0 else { return SampledToken(id: 0, logprob: -.infinity) }
        let raw = UnsafeBufferPointer(logits)
        let lse = reportLogprob || params.logprobs != nil ? LogProbabilities.logSumExp(raw) : .nan
        var top: [TokenLogprob] = []
        if let count = params.logprobs, count > 0 {
            top = LogProbabilities.top(min(count, n), of: raw, logSumExp: lse)
        }

        savedIDs.removeAll(keepingCapacity: true)
        savedValues.removeAll(keepingCapacity: true)
        applyLogitBias(logits)
        if !context.eosAllowed { maskStopTokens(logits) }
        applyPenalties(logits, counts: context.tokenCounts)

        let id: Int
        if params.isGreedy {
            id = Self.argmax(UnsafeBufferPointer(logits))
        } else {
            id = drawToken(from: UnsafeBufferPointer(logits))
        }
        return SampledToken(id: id, logprob: rawValue(of: id, current: logits[id]) - lse, topLogprobs: top)
    }

    /// Chooses the next token from an array of logits (see the buffer version).
    public mutating func sample(logits: inout [Float], context: SamplingContext) -> SampledToken {
        logits.withUnsafeMutableBufferPointer { sample(logits: $0, context: context) }
    }

    /// Index of the largest value, lowest index on ties; NaN is never chosen unless every
    /// value is NaN (then 0). Greedy decoding runs this over the whole vocabulary for every
    /// token, so it takes 16 values at a time: one pass for the largest (a comparison that
    /// is false for NaN keeps the running maximum), then a scan for its first position.
    static func argmax(_ values: UnsafeBufferPointer<Float>) -> Int {
        guard let base = values.baseAddress, !values.isEmpty else { return 0 }
        let raw = UnsafeRawPointer(base), n = values.count, wide = n / 16 * 16
        var lanes = SIMD16<Float>(repeating: -.infinity)
        var i = 0
        while i < wide {
            let x = raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self)
            lanes.replace(with: x, where: x .> lanes)
            i += 16
        }
        var largest = -Float.infinity
        for lane in 0..<16 where lanes[lane] > largest { largest = lanes[lane] }
        for j in wide..<n where values[j] > largest { largest = values[j] }
        i = 0
        while i < wide {
            if any(raw.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self) .== SIMD16(repeating: largest)) { break }
            i += 16
        }
        for j in i..<n where values[j] == largest { return j }
        return 0 // every value is NaN
    }

    /// The next uniform number of this request's generator, for a draw made elsewhere
    /// (the device sampler); keeps the stream identical to host sampling, which uses
    /// exactly one per non-greedy step.
    public mutating func nextUniform() -> Double { rng.nextUnitDouble() }

    /// Temperature, min-p, top-k, top-p and the draw, with the scratch buffer on loan.
    private mutating func drawToken(from logits: UnsafeBufferPointer<Float>) -> Int {
        var probs = scratch
        scratch = []
        defer { scratch = probs }
        if probs.count != logits.count { probs = [Float](repeating: 0, count: logits.count) }
        let u = rng.nextUnitDouble()
        let params = self.params
        return probs.withUnsafeMutableBufferPointer {
            Self.draw(logits: logits, probabilities: $0, params: params, uniform: u)
        }
    }

    /// The raw logit of `id`: the value saved before its first change, else `current`.
    private func rawValue(of id: Int, current: Float) -> Float {
        if let index = savedIDs.firstIndex(of: id) { return savedValues[index] }
        return current
    }

    /// Records `logits[id]` before a processor changes it.
    @inline(__always)
    mutating func saveRaw(_ id: Int, _ value: Float) {
        savedIDs.append(id)
        savedValues.append(value)
    }
}
