import LLMRuntime

/// A rotary embedding's frequencies on the device and the choice made for each step:
/// plain and statically scaled RoPE use one tensor; LongRoPE uploads its short and long
/// sets once and picks by the step's longest context; dynamic NTK uploads a new set for
/// steps past `max_position_embeddings`.
final class DeviceRotary {
    let rotary: RotaryEmbedding
    private let backend: any Backend
    private let base: Tensor
    private let long: Tensor?
    private let queryHeads: Int
    private let kvHeads: Int

    init(_ rotary: RotaryEmbedding, backend: any Backend, queryHeads: Int, kvHeads: Int) throws {
        self.rotary = rotary
        self.backend = backend
        self.queryHeads = queryHeads
        self.kvHeads = kvHeads
        base = try backend.tensor(rotary.inverseFrequencies, shape: [rotary.inverseFrequencies.count])
        if rotary.hasTwoFrequencySets, let threshold = rotary.lengthThreshold {
            let values = rotary.frequencies(forSequenceLength: threshold + 1)
            long = try backend.tensor(values, shape: [values.count])
        } else {
            long = nil
        }
    }

    /// Whether every step of a model limited to `maxPositions` uses the same tensor (so a
    /// recorded step may be replayed).
    func isStatic(upTo maxPositions: Int) -> Bool {
        guard let threshold = rotary.lengthThreshold else { return true }
        return threshold >= maxPositions
    }

    /// The rotary settings of a step whose longest sequence has `longestContext` tokens.
    func params(longestContext: Int) throws -> RotaryParams {
        var freqs = base
        if let threshold = rotary.lengthThreshold, longestContext > threshold {
            if let long {
                freqs = long
            } else {
                let values = rotary.frequencies(forSequenceLength: longestContext)
                freqs = try backend.tensor(values, shape: [values.count])
            }
        }
        return RotaryParams(inverseFrequencies: freqs, headDim: rotary.headDim, rotaryDim: rotary.rotaryDim,
                            queryHeads: queryHeads, kvHeads: kvHeads, attentionScale: rotary.attentionScale)
    }
}
