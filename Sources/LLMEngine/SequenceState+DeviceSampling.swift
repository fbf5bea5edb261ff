import LLMRuntime

extension SequenceState {
    /// Whether this step can be sampled by the backend's `sample` op: it applies
    /// penalties, temperature, min-p, top-k, top-p and the draw, but not logit bias,
    /// min-tokens masking or top-N logprobs, which need the host sampler.
    var canSampleOnDevice: Bool {
        params.logprobs == nil && params.logitBias.isEmpty && counts.generatedTotal >= params.minTokens
    }

    /// This step's row for the device sampler; draws the request's uniform exactly as
    /// the host sampler would.
    func deviceSamplingRow() -> DeviceSamplingRow {
        var row = DeviceSamplingRow(
            temperature: params.temperature, topK: Int32(clamping: params.topK), topP: params.topP, minP: params.minP,
            repetitionPenalty: params.repetitionPenalty, presencePenalty: params.presencePenalty,
            frequencyPenalty: params.frequencyPenalty)
        if !params.isGreedy { row.uniform = sampler.nextUniform() }
        let penalised = params.repetitionPenalty != 1 || params.presencePenalty != 0 || params.frequencyPenalty != 0
        if penalised {
            var entries = [DeviceSamplingRow.PenaltyEntry]()
            for id in counts.promptTokenIDs {
                entries.append(.init(tokenID: Int32(id), generatedCount: Int32(counts.generatedCount(of: id)), inPrompt: true))
            }
            for (id, count) in counts.generatedCounts where !counts.promptTokenIDs.contains(id) {
                entries.append(.init(tokenID: Int32(id), generatedCount: Int32(count), inPrompt: false))
            }
            row.penalties = entries
        }
        return row
    }
}
