import Foundation
import LLMRuntime

/// Inverse frequencies of a rotary embedding, with each scaling method computed as
/// transformers computes it, so positions rotate identically.
public struct RotaryEmbedding: Sendable {
    public let config: RoPEConfig
    public let headDim: Int
    public let rotaryDim: Int
    /// `max_position_embeddings` of the model (dynamic NTK scales past it).
    public let maxPositions: Int
    public let inverseFrequencies: [Float]
    public let attentionScale: Float

    /// Frequencies divided element-wise by `frequencyFactors` where a checkpoint carries
    /// them instead of a scaling config (llama.cpp stores Llama 3.1 scaling as the tensor
    /// `rope_freqs.weight`).
    public let frequencyFactors: [Float]?

    public init(config: RoPEConfig, headDim: Int, maxPositions: Int, frequencyFactors: [Float]? = nil) throws {
        self.config = config
        self.headDim = headDim
        self.maxPositions = maxPositions
        self.frequencyFactors = frequencyFactors
        rotaryDim = Int(Double(headDim) * config.partialRotaryFactor)
        guard rotaryDim >= 2, rotaryDim % 2 == 0, rotaryDim <= headDim else {
            throw ModelError.invalidConfig(field: "partial_rotary_factor", expected: "an even rotary size in 2...\(headDim)", found: "\(rotaryDim)")
        }
        if let factors = frequencyFactors, factors.count != rotaryDim / 2 || factors.contains(where: { !($0 > 0) }) {
            throw ModelError.invalidConfig(field: "rope_freqs.weight", expected: "\(rotaryDim / 2) positive factors", found: "\(factors.count) values")
        }
        let (freqs, scale) = try Self.frequencies(config, dim: rotaryDim, maxPositions: maxPositions, sequenceLength: nil)
        if config.kind == .longrope {
            // Checks the long set too, so that no later step can fail on it.
            _ = try Self.frequencies(config, dim: rotaryDim, maxPositions: maxPositions, sequenceLength: .max)
        }
        inverseFrequencies = Self.applying(frequencyFactors, to: freqs)
        attentionScale = scale
    }

    static func applying(_ factors: [Float]?, to freqs: [Float]) -> [Float] {
        guard let factors else { return freqs }
        return zip(freqs, factors).map { $0 / $1 }
    }

    /// Frequencies for a step whose longest sequence reaches `sequenceLength` tokens:
    /// differs from `inverseFrequencies` only for dynamic NTK scaling past `maxPositions`
    /// and LongRoPE past `originalMaxPositions` (transformers picks the set from the
    /// step's longest position, as here).
    public func frequencies(forSequenceLength length: Int) -> [Float] {
        guard let threshold = lengthThreshold, length > threshold else { return inverseFrequencies }
        guard let freqs = try? Self.frequencies(config, dim: rotaryDim, maxPositions: maxPositions, sequenceLength: length).0 else { return inverseFrequencies }
        return Self.applying(frequencyFactors, to: freqs)
    }

    /// The context length past which frequencies change, or nil when they never do.
    public var lengthThreshold: Int? {
        switch config.kind {
        case .dynamic: return maxPositions
        case .longrope: return config.originalMaxPositions ?? maxPositions
        default: return nil
        }
    }

    /// Dynamic NTK changes frequencies with every length past the threshold; LongRoPE
    /// has one set on each side of it.
    public var hasTwoFrequencySets: Bool { config.kind == .longrope }

    static func base(_ theta: Double, dim: Int) -> [Double] {
        (0..<(dim / 2)).map { 1.0 / pow(theta, Double(2 * $0) / Double(dim)) }
    }

    static func frequencies(_ c: RoPEConfig, dim: Int, maxPositions: Int, sequenceLength: Int?) throws -> ([Float], Float) {
        switch c.kind {
        case .default:
            return (base(c.theta, dim: dim).map(Float.init), 1)
        case .linear:
            return (base(c.theta, dim: dim).map { Float($0 / c.factor) }, 1)
        case .dynamic:
            let length = Double(max(sequenceLength ?? maxPositions, maxPositions))
            let scaledTheta = c.theta * pow(c.factor * length / Double(maxPositions) - (c.factor - 1), Double(dim) / Double(dim - 2))
            return (base(scaledTheta, dim: dim).map(Float.init), 1)
        case .llama3:
            let original = Double(c.originalMaxPositions ?? maxPositions)
            let lowWavelength = original / c.lowFreqFactor
            let highWavelength = original / c.highFreqFactor
            let freqs = base(c.theta, dim: dim).map { f -> Float in
                let wavelength = 2 * Double.pi / f
                if wavelength < highWavelength { return Float(f) }
                if wavelength > lowWavelength { return Float(f / c.factor) }
                let smooth = (original / wavelength - c.lowFreqFactor) / (c.highFreqFactor - c.lowFreqFactor)
                return Float((1 - smooth) * f / c.factor + smooth * f)
            }
            return (freqs, 1)
        case .yarn:
            return yarn(c, dim: dim, maxPositions: maxPositions)
        case .longrope:
            return try longRoPE(c, dim: dim, maxPositions: maxPositions, sequenceLength: sequenceLength)
        }
    }

    /// LongRoPE (Phi-3): inv_freq = 1 / (factor_i · theta^(2i/dim)) with the short
    /// factors up to the pretraining length and the long ones past it, in f32 as
    /// transformers computes it; cos and sin are scaled by sqrt(1 + ln(s)/ln(orig)) with
    /// s = max_position_embeddings / orig unless `factor` or `attention_factor` is given.
    private static func longRoPE(_ c: RoPEConfig, dim: Int, maxPositions: Int, sequenceLength: Int?) throws -> ([Float], Float) {
        let original = c.originalMaxPositions ?? maxPositions
        let long = sequenceLength.map { $0 > original } ?? false
        let factors = (long ? c.longFactor : c.shortFactor) ?? []
        guard factors.count == dim / 2 else {
            throw ModelError.invalidConfig(field: "rope_parameters.\(long ? "long" : "short")_factor", expected: "\(dim / 2) values (rotary size \(dim) / 2)", found: "\(factors.count)")
        }
        let scale = c.factorGiven ? c.factor : Double(maxPositions) / Double(original)
        let attention = c.attentionFactor ?? (scale <= 1 ? 1 : (1 + log(scale) / log(Double(original))).squareRoot())
        let theta = Float(c.theta)
        let freqs = (0..<(dim / 2)).map { i in 1 / (Float(factors[i]) * pow(theta, Float(2 * i) / Float(dim))) }
        return (freqs, Float(attention))
    }

    private static func yarn(_ c: RoPEConfig, dim: Int, maxPositions: Int) -> ([Float], Float) {
        let original = Double(c.originalMaxPositions ?? maxPositions)
        let factor = c.factor
        func mscale(_ scale: Double, _ m: Double = 1) -> Double { scale <= 1 ? 1 : 0.1 * m * log(scale) + 1 }
        let attention: Double
        if let a = c.attentionFactor {
            attention = a
        } else if let m = c.mscale, let all = c.mscaleAllDim, m != 0, all != 0 {
            attention = mscale(factor, m) / mscale(factor, all)
        } else {
            attention = mscale(factor)
        }
        func correctionDim(_ rotations: Double) -> Double {
            Double(dim) * log(original / (rotations * 2 * Double.pi)) / (2 * log(c.theta))
        }
        var low = correctionDim(c.betaFast), high = correctionDim(c.betaSlow)
        if c.truncate { low = floor(low); high = ceil(high) }
        low = max(low, 0)
        high = min(high, Double(dim - 1))
        if low == high { high += 0.001 }
        // The ramp is evaluated in f32 as transformers does.
        let freqs = (0..<(dim / 2)).map { i -> Float in
            let posFreq = Float(pow(c.theta, Double(2 * i) / Double(dim)))
            let extrapolation = 1 / posFreq
            let interpolation = 1 / (Float(factor) * posFreq)
            let ramp = min(max((Float(i) - Float(low)) / (Float(high) - Float(low)), 0), 1)
            let keep = 1 - ramp
            return interpolation * (1 - keep) + extrapolation * keep
        }
        return (freqs, Float(attention))
    }
}
