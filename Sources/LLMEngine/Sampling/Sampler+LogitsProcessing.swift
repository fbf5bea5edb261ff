/// The logits processors that run before temperature: logit bias, min-tokens masking and
/// the penalties. Each records a logit's raw value before changing it, so the chosen
/// token's raw logprob stays available without copying the whole row.
extension Sampler {
    /// Adds `params.logitBias` to the biased ids.
    mutating func applyLogitBias(_ logits: UnsafeMutableBufferPointer<Float>) {
        for (id, bias) in params.logitBias where id >= 0 && id < logits.count {
            saveRaw(id, logits[id])
            logits[id] += bias
        }
    }

    /// Sets the EOS and stop ids to `-inf` (min-tokens not yet reached).
    mutating func maskStopTokens(_ logits: UnsafeMutableBufferPointer<Float>) {
        for id in minTokensMaskedIDs where id >= 0 && id < logits.count {
            saveRaw(id, logits[id])
            logits[id] = -.infinity
        }
    }

    /// Repetition penalty over prompt and generated ids (`l > 0 ? l / p : l * p`), then
    /// `l -= frequencyPenalty * count` and `l -= presencePenalty` over generated ids.
    mutating func applyPenalties(_ logits: UnsafeMutableBufferPointer<Float>, counts: TokenCounts) {
        let n = logits.count
        let repetition = params.repetitionPenalty
        if repetition != 1 {
            for id in counts.promptTokenIDs where id >= 0 && id < n {
                penalizeRepetition(logits, id, repetition)
            }
            for id in counts.generatedCounts.keys where id >= 0 && id < n && !counts.promptTokenIDs.contains(id) {
                penalizeRepetition(logits, id, repetition)
            }
        }
        let frequency = params.frequencyPenalty
        let presence = params.presencePenalty
        if frequency != 0 || presence != 0 {
            for (id, count) in counts.generatedCounts where id >= 0 && id < n {
                saveRaw(id, logits[id])
                logits[id] -= frequency * Float(count)
                logits[id] -= presence
            }
        }
    }

    @inline(__always)
    private mutating func penalizeRepetition(_ logits: UnsafeMutableBufferPointer<Float>, _ id: Int, _ penalty: Float) {
        let value = logits[id]
        saveRaw(id, value)
        logits[id] = value > 0 ? value / penalty : value * penalty
    }
}
