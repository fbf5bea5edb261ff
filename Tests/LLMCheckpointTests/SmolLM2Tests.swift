import Foundation
import LLMCheckpoint
import LLMRuntime
import Testing

/// Checks against the real SmolLM2-135M-Instruct Q4_1 GGUF when it is present
/// ($SWIFTLLM_MODEL_CACHE or .cache/models). Reference values come from gguf-py 0.19.0.
@Suite(.enabled(if: SmolLM2.path != nil, "SmolLM2 GGUF not found: set SWIFTLLM_MODEL_CACHE or put \(SmolLM2.fileName) in .cache/models"))
struct SmolLM2Tests {
    let file: GGUFFile

    init() throws {
        let path = try #require(SmolLM2.path)
        let start = ContinuousClock.now
        file = try GGUFFile(path: path)
        print("SmolLM2 GGUF header parsed in \(ContinuousClock.now - start)")
    }

    @Test func tensorTable() throws {
        #expect(file.version == 3)
        #expect(file.tensors.count == 272)
        let embedding = try #require(file.info(named: "token_embd.weight"))
        #expect(embedding.dtype == .q8_0)
        #expect(embedding.dimensions == [576, 49152])
        #expect(try file.tensor(named: "token_embd.weight").shape == [49152, 576])
        var counts: [DType: Int] = [:]
        for info in file.tensors { counts[try #require(info.dtype), default: 0] += 1 }
        #expect(counts == [.q8_0: 1, .q4_1: 210, .f32: 61])
        #expect(file.info(named: "output.weight") == nil)
    }

    @Test func tokenizerMetadata() {
        #expect(file.metadata["tokenizer.ggml.tokens"]?.strings?.count == 49152)
        #expect(file.metadata["tokenizer.ggml.merges"]?.strings?.count == 48900)
        #expect(file.metadata["tokenizer.ggml.token_type"]?.ints?.count == 49152)
        #expect(file.metadata["tokenizer.ggml.pre"]?.string == "smollm")
        #expect(file.metadata["tokenizer.chat_template"]?.string?.contains("<|im_start|>") == true)
        #expect(file.metadataKeys.count == 33)
    }

    @Test func huggingFaceConfig() throws {
        let c = try #require(try JSONSerialization.jsonObject(with: file.huggingFaceConfigJSON()) as? [String: Any])
        #expect(c["architectures"] as? [String] == ["LlamaForCausalLM"])
        #expect(c["hidden_size"] as? Int == 576)
        #expect(c["intermediate_size"] as? Int == 1536)
        #expect(c["num_hidden_layers"] as? Int == 30)
        #expect(c["num_attention_heads"] as? Int == 9)
        #expect(c["num_key_value_heads"] as? Int == 3)
        #expect(c["head_dim"] as? Int == 64)
        #expect(c["rope_theta"] as? Double == 100000)
        #expect(c["rms_norm_eps"] as? Double == 1e-5)
        #expect(c["max_position_embeddings"] as? Int == 8192)
        #expect(c["vocab_size"] as? Int == 49152)
        #expect(c["tie_word_embeddings"] as? Bool == true)
        #expect(c["bos_token_id"] as? Int == 1)
        #expect(c["eos_token_id"] as? Int == 2)
    }

    @Test func weightsMatchGGUFPy() throws {
        let source = try GGUFWeightSource(file)
        let embedding = try source.dequantized("model.embed_tokens.weight")
        #expect(Array(embedding[576..<580]) == [-0.0238037109375, -0.015869140625, -0.0396728515625, 0.015869140625])
        #expect(Array(embedding.suffix(3)) == [0.12858200073242188, -0.11989402770996094, -0.0417022705078125])
        // q/k in HF row order (gguf-py values un-permuted in numpy).
        let q = try source.dequantized("model.layers.0.self_attn.q_proj.weight")
        #expect(try source.tensor("model.layers.0.self_attn.q_proj.weight").shape == [576, 576])
        #expect(Array(q[576..<580]) == [-0.1591796875, 0.39794921875, -0.0198974609375, -1.2734375])
        #expect(Array(q[(33 * 576)..<(33 * 576 + 3)]) == [-0.06280517578125, 0.1446533203125, 0.00634765625])
        let k = try source.dequantized("model.layers.0.self_attn.k_proj.weight")
        #expect(try source.tensor("model.layers.0.self_attn.k_proj.weight").shape == [192, 576])
        #expect(Array(k[(5 * 576)..<(5 * 576 + 3)]) == [0.0556640625, 0.189208984375, -0.077880859375])
        #expect(Array(try source.dequantized("model.norm.weight").prefix(4)) == [1.7578125, 1.8203125, 1.78125, 1.6015625])
        #expect(source.tensorNames.count == 272)
        #expect(!source.contains("lm_head.weight"))
    }
}
