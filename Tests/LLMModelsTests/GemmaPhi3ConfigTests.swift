import Foundation
import SwiftLLM
import Testing

/// Gemma 2/3 and Phi-3 configs as published checkpoints and transformers 5 spell them:
/// transformers' defaults, both RoPE spellings, and clear errors for bad values.
@Suite("Gemma and Phi-3 configs")
struct GemmaPhi3ConfigTests {
    static let base: [String: Any] = [
        "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 6, "num_attention_heads": 4,
        "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 256,
    ]

    func gemma(_ extra: [String: Any]) throws -> GemmaConfig {
        try JSONDecoder().decode(GemmaConfig.self, from: JSONSerialization.data(withJSONObject: Self.base.merging(extra) { $1 }))
    }

    func phi3(_ extra: [String: Any]) throws -> Phi3.Config {
        try JSONDecoder().decode(Phi3.Config.self, from: JSONSerialization.data(withJSONObject: Self.base.merging(extra) { $1 }))
    }

    @Test("Gemma 2 defaults: even layers slide, caps 50 and 30, explicit null turns a cap off")
    func gemma2Defaults() throws {
        let c = try gemma(["model_type": "gemma2", "sliding_window": 4096])
        #expect(c.slidingLayers == [true, false, true, false, true, false])
        #expect(c.attentionLogitSoftcap == 50 && c.finalLogitSoftcap == 30)
        #expect(c.queryPreAttentionScalar == 256 && c.tieWordEmbeddings)
        #expect(c.fullRoPE == c.slidingRoPE && c.fullRoPE.theta == 10_000)
        let uncapped = try gemma(["model_type": "gemma2", "final_logit_softcapping": NSNull(), "attn_logit_softcapping": NSNull()])
        #expect(uncapped.attentionLogitSoftcap == nil && uncapped.finalLogitSoftcap == nil)
    }

    @Test("Gemma 3: one full layer per sliding_window_pattern, no caps, local and global RoPE")
    func gemma3Defaults() throws {
        let c = try gemma(["model_type": "gemma3_text", "sliding_window_pattern": 3, "rope_theta": 1_000_000,
                           "rope_local_base_freq": 10_000, "rope_scaling": ["rope_type": "linear", "factor": 8]])
        #expect(c.slidingLayers == [true, true, false, true, true, false])
        #expect(c.attentionLogitSoftcap == nil && c.finalLogitSoftcap == nil && c.hasQKNorm)
        #expect(c.fullRoPE.kind == .linear && c.fullRoPE.factor == 8 && c.fullRoPE.theta == 1_000_000)
        #expect(c.slidingRoPE.kind == .default && c.slidingRoPE.theta == 10_000)
        let sixth = try gemma(["model_type": "gemma3_text"])
        #expect(sixth.slidingLayers == [true, true, true, true, true, false])
        #expect(sixth.fullRoPE.theta == 1_000_000 && sixth.slidingRoPE.theta == 10_000)
    }

    @Test("Gemma 3 RoPE nested by layer type (transformers 5) equals the flat spelling (transformers 4)")
    func gemma3BothSpellings() throws {
        let flat = try gemma(["model_type": "gemma3_text", "rope_theta": 500_000, "rope_local_base_freq": 20_000,
                              "rope_scaling": ["rope_type": "linear", "factor": 4]])
        let nested = try gemma(["model_type": "gemma3_text", "rope_parameters": [
            "full_attention": ["rope_type": "linear", "factor": 4, "rope_theta": 500_000],
            "sliding_attention": ["rope_type": "default", "rope_theta": 20_000]]])
        #expect(flat.fullRoPE == nested.fullRoPE)
        #expect(flat.slidingRoPE == nested.slidingRoPE)
        let fixture = try ModelCheckpoint.open(path: Fixtures.models.appendingPathComponent("gemma3").path)
        let c = try JSONDecoder().decode(GemmaConfig.self, from: fixture.configJSON)
        #expect(c.fullRoPE.kind == .linear && c.fullRoPE.theta == 1_000_000 && c.slidingRoPE.theta == 10_000)
        #expect(c.slidingLayers == [true, true, false] && c.slidingWindow == 8)
    }

    @Test("Bad Gemma configs name the field", arguments: [
        (["layer_types": ["sliding_attention"]], "layer_types"),
        (["layer_types": Array(repeating: "local", count: 6)], "layer_types"),
        (["hidden_activation": "relu"], "hidden_activation"),
        (["final_logit_softcapping": -1], "final_logit_softcapping"),
        (["sliding_window": 0], "sliding_window"),
        (["model_type": "gemma"], "model_type"),
        (["rope_parameters": ["full_attention": ["rope_type": "turbo"]]], "rope_parameters.full_attention.rope_type"),
    ] as [([String: Any], String)])
    func badGemma(extra: [String: Any], field: String) throws {
        var config = extra
        if config["model_type"] == nil { config["model_type"] = "gemma3_text" }
        do {
            _ = try gemma(config)
            Issue.record("accepted \(extra)")
        } catch let ModelError.invalidConfig(named, _, _) {
            #expect(named == field)
        }
    }

    @Test("Phi-3 LongRoPE: 'su' is LongRoPE, the top-level original length wins, attention factor from the lengths")
    func phi3LongRoPE() throws {
        let scaling: [String: Any] = ["type": "su", "short_factor": [1, 1.5, 2, 4], "long_factor": [2, 3, 5, 9], "original_max_position_embeddings": 99]
        let c = try phi3(["model_type": "phi3", "partial_rotary_factor": 0.5, "max_position_embeddings": 64,
                          "original_max_position_embeddings": 16, "rope_scaling": scaling, "sliding_window": 12])
        #expect(c.decoder.rope.kind == .longrope && c.decoder.rope.originalMaxPositions == 16)
        #expect(c.decoder.slidingWindow == 12)
        let rotary = try RotaryEmbedding(config: c.decoder.rope, headDim: 16, maxPositions: 64)
        #expect(rotary.rotaryDim == 8)
        #expect(abs(Double(rotary.attentionScale) - (1 + log(4.0) / log(16.0)).squareRoot()) < 1e-6)
        let short = rotary.frequencies(forSequenceLength: 16), long = rotary.frequencies(forSequenceLength: 17)
        for i in 0..<4 {
            let base = pow(10_000.0, Double(2 * i) / 8)
            #expect(abs(Double(short[i]) - 1 / ([1, 1.5, 2, 4][i] * base)) < 1e-6)
            #expect(abs(Double(long[i]) - 1 / ([2, 3, 5, 9][i] * base)) < 1e-6)
        }
    }

    @Test("Bad Phi-3 configs name the field")
    func badPhi3() throws {
        let wrongCount: [String: Any] = ["rope_type": "longrope", "short_factor": [1, 2], "long_factor": [1, 2]]
        #expect(throws: ModelError.invalidConfig(field: "rope_parameters.short_factor", expected: "8 values (rotary size 16 / 2)", found: "2")) {
            let c = try phi3(["model_type": "phi3", "rope_parameters": wrongCount])
            _ = try RotaryEmbedding(config: c.decoder.rope, headDim: 16, maxPositions: 64)
        }
        #expect(throws: ModelError.self) { try phi3(["model_type": "phi3", "rope_parameters": ["rope_type": "longrope", "short_factor": [1, 2, 3, 4, 5, 6, 7, 8]]]) }
        #expect(throws: ModelError.self) { try phi3(["model_type": "phi3", "rope_parameters": ["rope_type": "llama3", "factor": 8, "original_max_position_embeddings": 8]]) }
    }

    @Test("An unsupported architecture names itself and the supported list")
    func unsupportedArchitecture() throws {
        let json = try JSONSerialization.data(withJSONObject: Self.base.merging(["architectures": ["FalconForCausalLM"]]) { $1 })
        let loader = WeightLoader(source: nil, backend: try CPUBackend(options: .init(threads: 1)), expectedCount: 1, progress: nil)
        do {
            _ = try ModelRegistry.build(configJSON: json, weights: loader, limits: ForwardLimits(maxTokens: 4, maxLogitRows: 1))
            Issue.record("built an unsupported architecture")
        } catch let error as ModelError {
            #expect(error == .unsupportedArchitecture("FalconForCausalLM", supported: ModelRegistry.supportedArchitectures))
            #expect(error.description.contains("'FalconForCausalLM' is not supported"))
            for name in ["Gemma2ForCausalLM", "Gemma3ForCausalLM", "Phi3ForCausalLM", "LlamaForCausalLM", "Qwen3ForCausalLM"] {
                #expect(error.description.contains(name))
            }
        }
    }
}
