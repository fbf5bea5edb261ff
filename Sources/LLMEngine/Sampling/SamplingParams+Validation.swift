extension SamplingParams {
    /// Largest number of top logprobs a request may ask for.
    public static let maxLogprobs = 20
    /// Largest number of completions one request may ask for.
    public static let maxN = 128

    /// Checks every field against its allowed range for a model with `vocabSize` tokens.
    /// - Throws: the first ``SamplingError`` found, naming the field and the allowed range.
    public func validate(vocabSize: Int) throws(SamplingError) {
        if vocabSize < 1 {
            throw .valueOutOfRange(field: "vocabSize", value: "\(vocabSize)", allowed: "[1, inf)")
        }
        if n < 1 || n > Self.maxN {
            throw .valueOutOfRange(field: "n", value: "\(n)", allowed: "[1, \(Self.maxN)]")
        }
        if !(temperature >= 0) || !temperature.isFinite {
            throw .valueOutOfRange(field: "temperature", value: "\(temperature)", allowed: "[0, inf) (finite)")
        }
        if topK < -1 {
            throw .valueOutOfRange(field: "topK", value: "\(topK)", allowed: "-1, 0 (off) or [1, inf)")
        }
        if !(topP > 0 && topP <= 1) {
            throw .valueOutOfRange(field: "topP", value: "\(topP)", allowed: "(0, 1]")
        }
        if !(minP >= 0 && minP <= 1) {
            throw .valueOutOfRange(field: "minP", value: "\(minP)", allowed: "[0, 1]")
        }
        if !(repetitionPenalty > 0) || !repetitionPenalty.isFinite {
            throw .valueOutOfRange(
                field: "repetitionPenalty", value: "\(repetitionPenalty)", allowed: "(0, inf) (finite)")
        }
        if !(presencePenalty >= -2 && presencePenalty <= 2) {
            throw .valueOutOfRange(field: "presencePenalty", value: "\(presencePenalty)", allowed: "[-2, 2]")
        }
        if !(frequencyPenalty >= -2 && frequencyPenalty <= 2) {
            throw .valueOutOfRange(field: "frequencyPenalty", value: "\(frequencyPenalty)", allowed: "[-2, 2]")
        }
        if let maxTokens, maxTokens < 1 {
            throw .valueOutOfRange(field: "maxTokens", value: "\(maxTokens)", allowed: "[1, inf) or nil")
        }
        if minTokens < 0 {
            throw .valueOutOfRange(field: "minTokens", value: "\(minTokens)", allowed: "[0, inf)")
        }
        if let maxTokens, minTokens > maxTokens {
            throw .valueOutOfRange(field: "minTokens", value: "\(minTokens)", allowed: "[0, maxTokens=\(maxTokens)]")
        }
        if let logprobs, logprobs < 0 || logprobs > Self.maxLogprobs {
            throw .valueOutOfRange(field: "logprobs", value: "\(logprobs)", allowed: "[0, \(Self.maxLogprobs)] or nil")
        }
        for (index, string) in stop.enumerated() where string.isEmpty {
            throw .emptyStopString(index: index)
        }
        for id in stopTokenIDs where id < 0 || id >= vocabSize {
            throw .tokenIDOutOfVocabulary(field: "stopTokenIDs", tokenID: id, vocabSize: vocabSize)
        }
        // Sorted so the reported id does not depend on dictionary order.
        for (id, bias) in logitBias.sorted(by: { $0.key < $1.key }) {
            if id < 0 || id >= vocabSize {
                throw .tokenIDOutOfVocabulary(field: "logitBias", tokenID: id, vocabSize: vocabSize)
            }
            if bias.isNaN || bias == .infinity {
                throw .valueOutOfRange(
                    field: "logitBias", value: "\(bias) for token \(id)", allowed: "finite numbers or -inf")
            }
        }
    }
}
