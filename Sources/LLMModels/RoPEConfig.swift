import Foundation

/// Rotary embedding settings as checkpoints spell them: transformers 4 style
/// (`rope_theta` + `rope_scaling`) or transformers 5 style (`rope_parameters`).
public struct RoPEConfig: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case `default`, linear, dynamic, llama3, yarn, longrope
    }

    public var theta: Double
    public var kind: Kind
    public var factor: Double
    public var originalMaxPositions: Int?
    public var lowFreqFactor: Double
    public var highFreqFactor: Double
    public var betaFast: Double
    public var betaSlow: Double
    public var attentionFactor: Double?
    public var mscale: Double?
    public var mscaleAllDim: Double?
    public var truncate: Bool
    public var partialRotaryFactor: Double
    /// LongRoPE's per-frequency divisors up to `originalMaxPositions` and past it.
    public var shortFactor: [Double]?
    public var longFactor: [Double]?
    /// Whether `factor` was given (LongRoPE derives it from the context lengths otherwise).
    public var factorGiven: Bool

    /// The scaling dictionary's keys (either spelling).
    struct Parameters: Decodable {
        var rope_type: String?
        var type: String?
        var rope_theta: Double?
        var factor: Double?
        var original_max_position_embeddings: Int?
        var low_freq_factor: Double?
        var high_freq_factor: Double?
        var beta_fast: Double?
        var beta_slow: Double?
        var attention_factor: Double?
        var mscale: Double?
        var mscale_all_dim: Double?
        var truncate: Bool?
        var partial_rotary_factor: Double?
        var short_factor: [Double]?
        var long_factor: [Double]?
    }

    /// The top-level config keys that carry RoPE settings.
    struct ConfigKeys: Decodable {
        var rope_theta: Double?
        var rope_scaling: Parameters?
        var rope_parameters: Parameters?
        var partial_rotary_factor: Double?
        /// Phi-3 keeps the pretraining length at the top level; transformers prefers it.
        var original_max_position_embeddings: Int?
    }

    /// Reads RoPE settings from a whole HF config decoder; `defaultTheta` applies when
    /// neither spelling names a base.
    public init(from decoder: Decoder, defaultTheta: Double = 10_000) throws {
        let keys = try ConfigKeys(from: decoder)
        let field = keys.rope_parameters != nil ? "rope_parameters" : "rope_scaling"
        try self.init(parameters: keys.rope_parameters ?? keys.rope_scaling, field: field,
                      theta: keys.rope_parameters?.rope_theta ?? keys.rope_theta ?? defaultTheta,
                      partialRotaryFactor: keys.partial_rotary_factor,
                      originalMaxPositions: keys.original_max_position_embeddings)
    }

    /// One scaling dictionary (`p`, nil for plain RoPE) read as transformers reads it;
    /// `field` names it in errors.
    init(parameters p: Parameters?, field: String, theta: Double, partialRotaryFactor topLevelPartial: Double?, originalMaxPositions topLevelOriginal: Int?) throws {
        self.theta = theta
        var typeName = p?.rope_type ?? p?.type ?? "default"
        // Phi-3's first configs called LongRoPE "su" (and briefly "yarn"), as transformers maps them.
        if typeName == "su" || (typeName == "yarn" && p?.short_factor != nil) { typeName = "longrope" }
        guard let kind = Kind(rawValue: typeName) else {
            throw ModelError.invalidConfig(field: "\(field).rope_type", expected: "one of default, linear, dynamic, llama3, yarn, longrope", found: "'\(typeName)'")
        }
        self.kind = kind
        factor = p?.factor ?? 1
        factorGiven = p?.factor != nil
        if [.linear, .dynamic, .llama3].contains(kind), p?.factor == nil {
            throw ModelError.invalidConfig(field: "\(field).factor", expected: "a number for rope type \(typeName)", found: "nothing")
        }
        guard factor > 0, theta > 0 else {
            throw ModelError.invalidConfig(field: field, expected: "positive theta and factor", found: "theta \(theta), factor \(factor)")
        }
        let scaled: Set<Kind> = [.llama3, .yarn, .longrope]
        originalMaxPositions = scaled.contains(kind) ? (topLevelOriginal ?? p?.original_max_position_embeddings) : p?.original_max_position_embeddings
        lowFreqFactor = p?.low_freq_factor ?? 1
        highFreqFactor = p?.high_freq_factor ?? 4
        betaFast = p?.beta_fast ?? 32
        betaSlow = p?.beta_slow ?? 1
        attentionFactor = p?.attention_factor
        mscale = p?.mscale
        mscaleAllDim = p?.mscale_all_dim
        truncate = p?.truncate ?? true
        partialRotaryFactor = p?.partial_rotary_factor ?? topLevelPartial ?? 1
        shortFactor = p?.short_factor
        longFactor = p?.long_factor
        if kind == .llama3 && originalMaxPositions == nil {
            throw ModelError.invalidConfig(field: "\(field).original_max_position_embeddings", expected: "an integer for llama3 scaling", found: "nothing")
        }
        if kind == .longrope {
            for (name, list) in [("short_factor", shortFactor), ("long_factor", longFactor)] {
                guard let list, !list.isEmpty, list.allSatisfy({ $0 > 0 }) else {
                    throw ModelError.invalidConfig(field: "\(field).\(name)", expected: "a list of positive numbers for longrope", found: list.map { "\($0)" } ?? "nothing")
                }
            }
        }
    }

    /// Settings per attention layer type, as Gemma 3 configs write them: transformers 5
    /// nests `rope_parameters` by layer type (`{"full_attention": {...},
    /// "sliding_attention": {...}}`); transformers 4 has one `rope_theta`/`rope_scaling`
    /// for full layers plus `localThetaKey` (`rope_local_base_freq`) for sliding ones.
    static func perLayerType(from decoder: Decoder, localThetaKey: String, defaultTheta: (full: Double, sliding: Double)) throws -> (full: RoPEConfig, sliding: RoPEConfig) {
        struct Nested: Decodable { var full_attention: Parameters?; var sliding_attention: Parameters? }
        struct Keys: Decodable { var rope_parameters: Nested? }
        struct LocalTheta: CodingKey {
            var stringValue: String
            init(stringValue: String) { self.stringValue = stringValue }
            var intValue: Int? { nil }
            init?(intValue: Int) { nil }
        }
        let flat = try ConfigKeys(from: decoder)
        let nested = try Keys(from: decoder).rope_parameters
        let localTheta = try decoder.container(keyedBy: LocalTheta.self).decodeIfPresent(Double.self, forKey: LocalTheta(stringValue: localThetaKey))
        if let nested, nested.full_attention != nil || nested.sliding_attention != nil {
            func read(_ p: Parameters?, _ name: String, _ fallback: Double) throws -> RoPEConfig {
                try RoPEConfig(parameters: p, field: "rope_parameters.\(name)", theta: p?.rope_theta ?? flat.rope_theta ?? fallback,
                               partialRotaryFactor: flat.partial_rotary_factor, originalMaxPositions: nil)
            }
            return (try read(nested.full_attention, "full_attention", defaultTheta.full),
                    try read(nested.sliding_attention, "sliding_attention", localTheta ?? defaultTheta.sliding))
        }
        let field = flat.rope_parameters != nil ? "rope_parameters" : "rope_scaling"
        let full = try RoPEConfig(parameters: flat.rope_parameters ?? flat.rope_scaling, field: field,
                                  theta: flat.rope_parameters?.rope_theta ?? flat.rope_theta ?? defaultTheta.full,
                                  partialRotaryFactor: flat.partial_rotary_factor, originalMaxPositions: nil)
        let sliding = try RoPEConfig(parameters: nil, field: localThetaKey, theta: localTheta ?? defaultTheta.sliding,
                                     partialRotaryFactor: flat.partial_rotary_factor, originalMaxPositions: nil)
        return (full, sliding)
    }
}

extension RoPEConfig {
    /// The RoPE settings of a whole config.json.
    public static func decoded(from configJSON: Data) throws -> RoPEConfig {
        struct Wrapper: Decodable {
            let rope: RoPEConfig
            init(from decoder: Decoder) throws { rope = try RoPEConfig(from: decoder) }
        }
        return try ModelRegistry.decodeConfig(Wrapper.self, from: configJSON).rope
    }
}
