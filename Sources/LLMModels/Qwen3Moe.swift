import Foundation
import LLMCheckpoint
import LLMRuntime

/// Qwen3-MoE's HF config: Qwen3's keys (per-head q/k norm, `head_dim`) plus the experts:
/// `num_experts` (transformers 5 writes `num_local_experts`), `num_experts_per_tok`,
/// `moe_intermediate_size`, `norm_topk_prob`, and which layers are sparse: layer i is
/// when it is not in `mlp_only_layers` and (i + 1) is a multiple of `decoder_sparse_step`;
/// the others are dense MLPs of `intermediate_size`.
public struct Qwen3MoeConfig: Decodable, Sendable {
    public var base: LlamaConfig
    public var experts: Int
    public var expertsPerToken: Int
    public var moeIntermediateSize: Int
    public var normTopKProb: Bool
    public var decoderSparseStep: Int
    public var mlpOnlyLayers: [Int]

    enum CodingKeys: String, CodingKey {
        case num_experts, num_local_experts, num_experts_per_tok, moe_intermediate_size, norm_topk_prob, decoder_sparse_step, mlp_only_layers
    }

    public init(from decoder: Decoder) throws {
        base = try LlamaConfig(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        if let count = try c.decodeIfPresent(Int.self, forKey: .num_experts) {
            experts = count
        } else {
            experts = try c.decodeIfPresent(Int.self, forKey: .num_local_experts) ?? 128
        }
        expertsPerToken = try c.decodeIfPresent(Int.self, forKey: .num_experts_per_tok) ?? 8
        moeIntermediateSize = try c.positiveInt(.moe_intermediate_size, atMost: DecoderShape.largestWidth)
        normTopKProb = try c.decodeIfPresent(Bool.self, forKey: .norm_topk_prob) ?? false
        decoderSparseStep = try c.decodeIfPresent(Int.self, forKey: .decoder_sparse_step) ?? 1
        mlpOnlyLayers = try c.decodeIfPresent([Int].self, forKey: .mlp_only_layers) ?? []
        guard decoderSparseStep >= 1 else {
            throw ModelError.invalidConfig(field: "decoder_sparse_step", expected: "a positive integer", found: "\(decoderSparseStep)")
        }
        _ = try moe
    }

    var moe: MoESettings {
        get throws {
            try MoESettings(experts: experts, topK: expertsPerToken, ff: moeIntermediateSize, normalize: normTopKProb,
                            keys: ("num_experts", "num_experts_per_tok", "moe_intermediate_size"))
        }
    }

    /// Whether layer `i` routes to experts (else it is a dense MLP).
    public func isSparse(layer i: Int) -> Bool {
        !mlpOnlyLayers.contains(i) && (i + 1) % decoderSparseStep == 0
    }
}

/// Qwen3-MoE (`Qwen3MoeForCausalLM`): Qwen3's attention with `mlp.gate` routing to
/// `mlp.experts.N.{gate,up,down}_proj`, dense `mlp.{gate,up,down}_proj` layers where the
/// config says so.
public enum Qwen3Moe {
    static let names = MixtureOfExperts.ExpertNames(router: "mlp.gate.weight") { e in
        let p = "mlp.experts.\(e)."
        return (p + "gate_proj.weight", p + "up_proj.weight", p + "down_proj.weight")
    }

    public static func build(config: Qwen3MoeConfig, weights: WeightLoader, limits: ForwardLimits) throws -> any CausalLM {
        try MixtureOfExperts.decoder(config: config.base, moe: config.moe, names: names, weights: weights, limits: limits,
                                     isSparse: config.isSparse(layer:))
    }
}
