import Foundation
import Testing
@testable import LLMCheckpoint

/// llama.cpp's Gemma 2/3 and Phi-3 GGUF conventions: tensor names per architecture and
/// the metadata llama.cpp writes (and the values it assumes when a key is absent).
@Suite struct GGUFGemmaPhi3Tests {
    @Test func tensorNamesPerArchitecture() {
        // Gemma's sandwich norms: llama.cpp's ffn_norm is Gemma's pre-feedforward norm.
        #expect(GGUFTensorNames.hfName(forGGUF: "blk.3.ffn_norm.weight", architecture: "gemma2") == "model.layers.3.pre_feedforward_layernorm.weight")
        #expect(GGUFTensorNames.hfName(forGGUF: "blk.3.post_attention_norm.weight", architecture: "gemma3") == "model.layers.3.post_attention_layernorm.weight")
        #expect(GGUFTensorNames.hfName(forGGUF: "blk.0.post_ffw_norm.weight", architecture: "gemma2") == "model.layers.0.post_feedforward_layernorm.weight")
        #expect(GGUFTensorNames.ggufName(forHF: "model.layers.1.self_attn.q_norm.weight", architecture: "gemma3") == "blk.1.attn_q_norm.weight")
        // The same GGUF name is Llama's post-attention norm elsewhere.
        #expect(GGUFTensorNames.hfName(forGGUF: "blk.3.ffn_norm.weight", architecture: "qwen3") == "model.layers.3.post_attention_layernorm.weight")
        #expect(GGUFTensorNames.hfName(forGGUF: "blk.3.ffn_norm.weight") == "model.layers.3.post_attention_layernorm.weight")
        // Phi-3's fused projections; its ffn_up holds gate and up.
        #expect(GGUFTensorNames.hfName(forGGUF: "blk.2.attn_qkv.weight", architecture: "phi3") == "model.layers.2.self_attn.qkv_proj.weight")
        #expect(GGUFTensorNames.hfName(forGGUF: "blk.2.ffn_up.weight", architecture: "phi3") == "model.layers.2.mlp.gate_up_proj.weight")
        #expect(GGUFTensorNames.ggufName(forHF: "model.layers.2.mlp.up_proj.weight", architecture: "phi3") == nil)
        #expect(GGUFTensorNames.hfName(forGGUF: "rope_factors_long.weight", architecture: "phi3") == nil)
    }

    @Test("Gemma 2 metadata: caps, window, GELU, and the 27B's attention scale from hidden / heads")
    func gemma2Config() throws {
        for (layers, scalar) in [(26, 256.0), (46, 144.0)] {
            var b = GGUFBuilder(tensorCount: 0, keyValueCount: 13)
            b.keyString("general.architecture", "gemma2")
            b.keyU32("gemma2.embedding_length", 4608)
            b.keyU32("gemma2.attention.head_count", 32)
            b.keyU32("gemma2.attention.head_count_kv", 16)
            b.keyU32("gemma2.attention.key_length", 256)
            b.keyU32("gemma2.feed_forward_length", 36864)
            b.keyU32("gemma2.block_count", UInt32(layers))
            b.keyU32("gemma2.context_length", 8192)
            b.keyU32("gemma2.vocab_size", 256000)
            b.keyU32("gemma2.attention.sliding_window", 4096)
            for (key, value) in [("gemma2.attention.layer_norm_rms_epsilon", Float(1e-6)), ("gemma2.attn_logit_softcapping", 50),
                                 ("gemma2.final_logit_softcapping", 30)] {
                b.keyF32(key, value)
            }
            let c = try #require(try JSONSerialization.jsonObject(with: b.parse().huggingFaceConfigJSON()) as? [String: Any])
            #expect(c["architectures"] as? [String] == ["Gemma2ForCausalLM"])
            #expect(c["hidden_act"] as? String == "gelu_pytorch_tanh")
            #expect(c["sliding_window"] as? Int == 4096)
            #expect(c["attn_logit_softcapping"] as? Double == 50 && c["final_logit_softcapping"] as? Double == 30)
            #expect(c["query_pre_attn_scalar"] as? Double == scalar)
            #expect(c["tie_word_embeddings"] as? Bool == true)
            #expect(c["layer_types"] == nil, "transformers' default alternation applies")
        }
    }

    @Test("A sliding-window pattern stored as booleans becomes layer_types")
    func gemma3Pattern() throws {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 9)
        b.requiredModelKeys("gemma3", hidden: 64, heads: 4, ff: 128, blocks: 3, context: 256)
        b.keyU32("gemma3.vocab_size", 256)
        b.string("gemma3.attention.sliding_window_pattern")
        b.u32(9)  // array
        b.u32(7)  // of bool
        b.u64(3)
        b.bytes += [1, 0, 1]
        let c = try #require(try JSONSerialization.jsonObject(with: b.parse().huggingFaceConfigJSON()) as? [String: Any])
        #expect(c["model_type"] as? String == "gemma3_text")
        #expect(c["layer_types"] as? [String] == ["sliding_attention", "full_attention", "sliding_attention"])
        #expect(c["rope_local_base_freq"] as? Double == 10_000)
    }
}
