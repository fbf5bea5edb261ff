import Foundation

/// The random part of a step: temperature, min-p, top-k, top-p and the inverse-CDF draw.
extension Sampler {
    /// Candidates tried first by top-p without top-k (one O(vocab) heap pass); when they
    /// do not reach `topP`, ``NucleusSelection`` takes over.
    static let topPInitialCandidates = 64

    /// Draws a token from processed `logits` with `params`' temperature and truncation,
    /// given the step's uniform `u` in `[0, 1)`. `probabilities` (same length) is scratch
    /// space; on return it holds the unnormalised weights after temperature and min-p.
    /// Pure: same inputs, same token. Falls back to the argmax when no token has weight.
    static func draw(
        logits: UnsafeBufferPointer<Float>, probabilities s: UnsafeMutableBufferPointer<Float>,
        params: SamplingParams, uniform u: Double
    ) -> Int {
        let n = logits.count
        var maxLogit = -Float.infinity
        for v in logits where v > maxLogit { maxLogit = v }
        guard maxLogit.isFinite else { return argmax(logits) }

        // Temperature and min-p in one pass. Weights are exp((l - max) / T), so the top
        // weight is 1 and min-p's threshold minP * pmax is simply minP.
        let invT = 1 / params.temperature
        let minP = params.minP
        var total = 0.0
        var live = 0
        var lastLive = 0
        for i in 0..<n {
            let d = (logits[i] - maxLogit) * invT
            let e: Float = d > -.infinity ? exp(d) : 0  // also 0 for NaN
            // Branch-free: after min-p, which tokens survive is unpredictable.
            let w = e >= minP ? e : 0
            s[i] = w
            total += Double(w)
            let alive = w > 0
            live &+= alive ? 1 : 0
            lastLive = alive ? i : lastLive
        }
        guard total > 0 else { return argmax(logits) }

        let topK = params.topK > 0 && params.topK < live ? params.topK : 0
        let topP = Double(params.topP)
        if topK == 0 && topP >= 1 {
            return inverseCDF(s, target: u * total, fallback: lastLive)
        }

        var kept: [Int]
        if topK > 0 {
            kept = TopSelection.largest(topK, of: logits, skippingZeroWeightsIn: UnsafeBufferPointer(s))
            if topP < 1 {
                let sum = kept.reduce(0.0) { $0 + Double(s[$1]) }
                kept.removeSubrange(topPPrefixLength(kept, s, threshold: topP * sum)...)
            }
        } else {
            // Peaked distributions: the nucleus is within the top few dozen tokens.
            kept = TopSelection.largest(
                min(topPInitialCandidates, live), of: logits, skippingZeroWeightsIn: UnsafeBufferPointer(s))
            let sum = kept.reduce(0.0) { $0 + Double(s[$1]) }
            if sum >= topP * total || kept.count >= live {
                kept.removeSubrange(topPPrefixLength(kept, s, threshold: topP * total)...)
            } else {
                // Broad distributions: linear-time selection, then draw over the vocabulary.
                guard let nucleus = NucleusSelection.truncate(logits: logits, weights: s, mass: topP) else {
                    return argmax(logits)
                }
                return inverseCDF(s, target: u * nucleus.keptWeight, fallback: nucleus.lastKeptID)
            }
        }

        kept.sort()
        let keptTotal = kept.reduce(0.0) { $0 + Double(s[$1]) }
        var acc = 0.0
        let target = u * keptTotal
        for id in kept {
            acc += Double(s[id])
            if acc > target { return id }
        }
        return kept.last ?? lastLive
    }

    /// Length of the most-likely-first prefix of `ranked` to keep: a token is kept while
    /// the weight before it is below `threshold`; at least one is always kept.
    private static func topPPrefixLength(
        _ ranked: [Int], _ s: UnsafeMutableBufferPointer<Float>, threshold: Double
    ) -> Int {
        var cumulative = 0.0
        var kept = 0
        for id in ranked {
            if kept > 0 && cumulative >= threshold { break }
            cumulative += Double(s[id])
            kept += 1
        }
        return kept
    }

    /// First index whose cumulative weight exceeds `target`.
    private static func inverseCDF(_ s: UnsafeMutableBufferPointer<Float>, target: Double, fallback: Int) -> Int {
        var acc = 0.0
        for i in 0..<s.count {
            acc += Double(s[i])
            if acc > target { return i }
        }
        return fallback
    }
}
