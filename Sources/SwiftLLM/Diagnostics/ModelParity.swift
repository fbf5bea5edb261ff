import Foundation

/// Compares one model on two backends: the f32 CPU reference and a candidate (a GPU in
/// bf16). Each side decodes greedily along its own path; they must agree up to
/// near-ties (DESIGN.md section 8): a divergence is legitimate only if each side's token
/// is in the other's top 5 within `tieTolerance` of the logit range of the other's best.
public struct ModelParity: Sendable {
    public struct Report: Sendable {
        public var name: String
        /// Max |candidate - reference| of the prompt's last-position logits over their range.
        public var prefillError: Float
        public var referenceTokens: [Int]
        public var candidateTokens: [Int]
        /// Step of the first divergence, if any, and whether it was a near-tie.
        public var divergence: (step: Int, nearTie: Bool)?
        /// The candidate's logits at every step of its own path (for outside references).
        public var candidateLogits: [[Float]]
        public var passed: Bool
    }

    public var logitTolerance: Float
    public var tieTolerance: Float

    /// bf16 activations carry 8 bits of mantissa: logits of these models move by up to
    /// ~1% of their range between a bf16 and an f32 computation.
    public init(logitTolerance: Float = 0.03, tieTolerance: Float = 0.03) {
        self.logitTolerance = logitTolerance
        self.tieTolerance = tieTolerance
    }

    public func compare(name: String, reference: SequenceProbe, candidate: SequenceProbe, prompt: [Int], steps: Int) throws -> Report {
        let ref = try reference.greedy(prompt, steps: steps)
        let cand = try candidate.greedy(prompt, steps: steps)
        let range = (ref.logits[0].max() ?? 0) - (ref.logits[0].min() ?? 0)
        let prefill = zip(ref.logits[0], cand.logits[0]).map { abs($0 - $1) }.max() ?? .infinity
        let prefillError = range > 0 ? prefill / range : .infinity
        var divergence: (Int, Bool)?
        if let step = ref.tokens.indices.first(where: { ref.tokens[$0] != cand.tokens[$0] }) {
            let r = ref.logits[step], c = cand.logits[step]
            let (rt, ct) = (ref.tokens[step], cand.tokens[step])
            func nearTop(_ row: [Float], best: Int, other: Int) -> Bool {
                let rank = row.indices.filter { row[$0] > row[other] }.count
                return rank < 5 && row[best] - row[other] <= tieTolerance * range
            }
            let nearTie = nearTop(r, best: rt, other: ct) && nearTop(c, best: ct, other: rt)
            divergence = (step, nearTie)
        }
        let passed = prefillError.isFinite && prefillError <= logitTolerance && (divergence?.1 ?? true)
            && cand.logits.allSatisfy { $0.allSatisfy(\.isFinite) }
        return Report(name: name, prefillError: prefillError, referenceTokens: ref.tokens, candidateTokens: cand.tokens,
                      divergence: divergence, candidateLogits: cand.logits, passed: passed)
    }
}
