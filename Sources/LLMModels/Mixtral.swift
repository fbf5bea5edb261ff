import Foundation
import LLMCheckpoint
import LLMRuntime

/// Mixtral's HF config: the Llama keys (attention, RoPE, `sliding_window` applied when
/// set) plus `num_local_experts` experts of width `intermediate_size`, of which
/// `num_experts_per_tok` run per token with renormalised routing weights.
public struct MixtralConfig: Decodable, Sendable {
    public var base: LlamaConfig
    public var experts: Int
    public var expertsPerToken: Int

    enum CodingKeys: String, CodingKey {
        case num_local_experts, num_experts_per_tok
    }

    public init(from decoder: Decoder) throws {
        base = try LlamaConfig(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        experts = try c.decodeIfPresent(Int.self, forKey: .num_local_experts) ?? 8
        expertsPerToken = try c.decodeIfPresent(Int.self, forKey: .num_experts_per_tok) ?? 2
        _ = try moe
    }

    var moe: MoESettings {
        get throws {
            try MoESettings(experts: experts, topK: expertsPerToken, ff: base.intermediateSize, normalize: true,
                            keys: ("num_local_experts", "num_experts_per_tok", "intermediate_size"))
        }
    }
}

/// Mixtral (`MixtralForCausalLM`): Llama's decoder with every MLP a mixture of experts
/// (`block_sparse_moe.gate` router; experts' `w1` gate, `w3` up, `w2` down).
public enum Mixtral {
    static let names = MixtureOfExperts.ExpertNames(router: "block_sparse_moe.gate.weight") { e in
        let p = "block_sparse_moe.experts.\(e)."
        return (p + "w1.weight", p + "w3.weight", p + "w2.weight")
    }

    public static func build(config: MixtralConfig, weights: WeightLoader, limits: ForwardLimits) throws -> any CausalLM {
        try MixtureOfExperts.decoder(config: config.base, moe: config.moe, names: names, weights: weights, limits: limits) { _ in true }
    }
}
