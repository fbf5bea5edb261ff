/// Per-request sampling settings, with the field names, meanings and defaults of vLLM's
/// `SamplingParams`.
///
/// Processing order in ``Sampler`` (as vLLM): logit bias, min-tokens masking, penalties
/// (repetition, frequency, presence); logprobs are taken from the raw logits; then
/// temperature, min-p, top-k, top-p and the draw. Call ``validate(vocabSize:)`` before use.
///
/// Decoding accepts partial objects: every missing key takes its default.
public struct SamplingParams: Sendable, Codable, Equatable {
    /// Temperatures below this count as greedy (vLLM's `_SAMPLING_EPS`).
    public static let greedyTemperatureEpsilon: Float = 1e-5

    /// Completions to generate from the prompt (`1...maxN`). They share the prompt's
    /// cache blocks; with a `seed`, completion `i` uses `seed + i`.
    public var n: Int
    /// Softmax temperature. `0` means greedy (argmax). Must be `>= 0` and finite.
    public var temperature: Float
    /// Keep only the `topK` most likely tokens. `0` or `-1` turns it off.
    public var topK: Int
    /// Keep the smallest set of most likely tokens whose probability reaches `topP`.
    /// `1` turns it off. Must lie in `(0, 1]`.
    public var topP: Float
    /// Drop tokens whose probability is below `minP` times the top probability.
    /// `0` turns it off. Must lie in `[0, 1]`.
    public var minP: Float
    /// HF/vLLM repetition penalty over prompt and generated tokens: a positive logit is
    /// divided by it, a negative one multiplied. `1` turns it off. Must be `> 0`.
    public var repetitionPenalty: Float
    /// OpenAI presence penalty: subtracted once from the logit of every token generated
    /// so far. Must lie in `[-2, 2]`.
    public var presencePenalty: Float
    /// OpenAI frequency penalty: subtracted from a token's logit once per time it was
    /// generated so far. Must lie in `[-2, 2]`.
    public var frequencyPenalty: Float
    /// Seed of the request's random generator: the same seed gives the same output.
    /// `nil` draws a random seed.
    public var seed: Int?
    /// Most tokens to generate; `nil` generates until the context ends. Must be `>= 1`.
    public var maxTokens: Int?
    /// EOS and stop token ids are masked, and stop strings ignored, until this many tokens
    /// have been generated.
    public var minTokens: Int
    /// Strings that end generation; the output is cut before them (see
    /// ``includeStopStringInOutput``).
    public var stop: [String]
    /// Token ids that end generation.
    public var stopTokenIDs: [Int]
    /// Keep generating after EOS tokens (they neither stop nor get masked).
    public var ignoreEOS: Bool
    /// Keep the matched stop string (or the stop token's text) in the output.
    public var includeStopStringInOutput: Bool
    /// Number of top logprobs to return per token (`0...20`); `nil` returns none.
    public var logprobs: Int?
    /// Added to the logits of the given token ids before anything else.
    public var logitBias: [Int: Float]

    /// Creates settings; every argument defaults to vLLM's default.
    public init(
        n: Int = 1,
        temperature: Float = 1.0,
        topK: Int = 0,
        topP: Float = 1.0,
        minP: Float = 0.0,
        repetitionPenalty: Float = 1.0,
        presencePenalty: Float = 0.0,
        frequencyPenalty: Float = 0.0,
        seed: Int? = nil,
        maxTokens: Int? = nil,
        minTokens: Int = 0,
        stop: [String] = [],
        stopTokenIDs: [Int] = [],
        ignoreEOS: Bool = false,
        includeStopStringInOutput: Bool = false,
        logprobs: Int? = nil,
        logitBias: [Int: Float] = [:]
    ) {
        self.n = n
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.minP = minP
        self.repetitionPenalty = repetitionPenalty
        self.presencePenalty = presencePenalty
        self.frequencyPenalty = frequencyPenalty
        self.seed = seed
        self.maxTokens = maxTokens
        self.minTokens = minTokens
        self.stop = stop
        self.stopTokenIDs = stopTokenIDs
        self.ignoreEOS = ignoreEOS
        self.includeStopStringInOutput = includeStopStringInOutput
        self.logprobs = logprobs
        self.logitBias = logitBias
    }

    /// Settings for greedy decoding (temperature 0).
    public static var greedy: SamplingParams { SamplingParams(temperature: 0) }

    /// Whether the sampler takes the argmax instead of drawing.
    public var isGreedy: Bool { temperature < Self.greedyTemperatureEpsilon }

    /// Whether top-k truncation is on.
    public var usesTopK: Bool { topK > 0 }

    /// Whether top-p truncation is on.
    public var usesTopP: Bool { topP < 1 }

    /// Whether min-p filtering is on.
    public var usesMinP: Bool { minP > 0 }

    private enum CodingKeys: String, CodingKey {
        case n, temperature, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty
        case seed, maxTokens, minTokens, stop, stopTokenIDs, ignoreEOS, includeStopStringInOutput
        case logprobs, logitBias
    }

    /// Decodes settings; missing keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SamplingParams()
        n = try c.decodeIfPresent(Int.self, forKey: .n) ?? d.n
        temperature = try c.decodeIfPresent(Float.self, forKey: .temperature) ?? d.temperature
        topK = try c.decodeIfPresent(Int.self, forKey: .topK) ?? d.topK
        topP = try c.decodeIfPresent(Float.self, forKey: .topP) ?? d.topP
        minP = try c.decodeIfPresent(Float.self, forKey: .minP) ?? d.minP
        repetitionPenalty = try c.decodeIfPresent(Float.self, forKey: .repetitionPenalty) ?? d.repetitionPenalty
        presencePenalty = try c.decodeIfPresent(Float.self, forKey: .presencePenalty) ?? d.presencePenalty
        frequencyPenalty = try c.decodeIfPresent(Float.self, forKey: .frequencyPenalty) ?? d.frequencyPenalty
        seed = try c.decodeIfPresent(Int.self, forKey: .seed)
        maxTokens = try c.decodeIfPresent(Int.self, forKey: .maxTokens)
        minTokens = try c.decodeIfPresent(Int.self, forKey: .minTokens) ?? d.minTokens
        stop = try c.decodeIfPresent([String].self, forKey: .stop) ?? d.stop
        stopTokenIDs = try c.decodeIfPresent([Int].self, forKey: .stopTokenIDs) ?? d.stopTokenIDs
        ignoreEOS = try c.decodeIfPresent(Bool.self, forKey: .ignoreEOS) ?? d.ignoreEOS
        includeStopStringInOutput =
            try c.decodeIfPresent(Bool.self, forKey: .includeStopStringInOutput) ?? d.includeStopStringInOutput
        logprobs = try c.decodeIfPresent(Int.self, forKey: .logprobs)
        logitBias = try c.decodeIfPresent([Int: Float].self, forKey: .logitBias) ?? d.logitBias
    }
}
