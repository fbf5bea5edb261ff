import Foundation

/// Rotary embedding settings as checkpoints spell them: transformers 4 style
/// (`rope_theta` + `rope_scaling`) or transformers 5 style (`rope_parameters`).
public struct RoPEConfig: Sendable, Equatable {
    public enum Kind: String, Sendable {
        case `default`, linear, dynamic, llama3, yarn
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
    }

    /// The top-level config keys that carry RoPE settings.
    struct ConfigKeys: Decodable {
        var rope_theta: Double?
        var rope_scaling: Parameters?
        var rope_parameters: Parameters?
        var partial_rotary_factor: Double?
    }

    /// Reads RoPE settings from a whole HF config decoder; `defaultTheta` applies when
    /// neither spelling names a base.
    public init(from decoder: Decoder, defaultTheta: Double = 10_000) throws {
        let keys = try ConfigKeys(from: decoder)
        let p = keys.rope_parameters ?? keys.rope_scaling
        let field = keys.rope_parameters != nil ? "rope_parameters" : "rope_scaling"
        theta = keys.rope_parameters?.rope_theta ?? keys.rope_theta ?? defaultTheta
        let typeName = p?.rope_type ?? p?.type ?? "default"
        guard let kind = Kind(rawValue: typeName) else {
            throw ModelError.invalidConfig(field: "\(field).rope_type", expected: "one of default, linear, dynamic, llama3, yarn", found: "'\(typeName)'")
        }
        self.kind = kind
        factor = p?.factor ?? 1
        if kind != .default, p?.factor == nil, kind != .yarn {
            throw ModelError.invalidConfig(field: "\(field).factor", expected: "a number for rope type \(typeName)", found: "nothing")
        }
        guard factor > 0, theta > 0 else {
            throw ModelError.invalidConfig(field: field, expected: "positive theta and factor", found: "theta \(theta), factor \(factor)")
        }
        originalMaxPositions = p?.original_max_position_embeddings
        lowFreqFactor = p?.low_freq_factor ?? 1
        highFreqFactor = p?.high_freq_factor ?? 4
        betaFast = p?.beta_fast ?? 32
        betaSlow = p?.beta_slow ?? 1
        attentionFactor = p?.attention_factor
        mscale = p?.mscale
        mscaleAllDim = p?.mscale_all_dim
        truncate = p?.truncate ?? true
        partialRotaryFactor = p?.partial_rotary_factor ?? keys.partial_rotary_factor ?? 1
        if kind == .llama3 && originalMaxPositions == nil {
            throw ModelError.invalidConfig(field: "\(field).original_max_position_embeddings", expected: "an integer for llama3 scaling", found: "nothing")
        }
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
