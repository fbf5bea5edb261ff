import LLMCheckpoint
import LLMRuntime
import Testing

@Suite struct GGUFWeightSourceTests {
    let gguf: GGUFWeightSource
    let reference: SafetensorsWeightSource

    init() throws {
        gguf = try GGUFWeightSource(path: Fixture.path("llama_permuted.gguf"))
        reference = try SafetensorsWeightSource(path: Fixture.path("llama_hf.safetensors"))
    }

    @Test func namesMapToHuggingFace() {
        #expect(Set(gguf.tensorNames) == Set(reference.tensorNames).union(["rope_freqs.weight"]))
        #expect(gguf.contains("model.layers.0.self_attn.o_proj.weight"))
        #expect(!gguf.contains("blk.0.attn_output.weight"))
        #expect(gguf.contains("rope_freqs.weight"))
        #expect(gguf.ggufName(for: "model.embed_tokens.weight") == "token_embd.weight")
        #expect(!gguf.contains("lm_head.weight"))
    }

    @Test func nameMapIsOneToOne() {
        let pairs = [
            ("model.embed_tokens.weight", "token_embd.weight"),
            ("model.norm.weight", "output_norm.weight"),
            ("lm_head.weight", "output.weight"),
            ("model.layers.12.input_layernorm.weight", "blk.12.attn_norm.weight"),
            ("model.layers.0.post_attention_layernorm.weight", "blk.0.ffn_norm.weight"),
            ("model.layers.3.self_attn.q_proj.weight", "blk.3.attn_q.weight"),
            ("model.layers.3.self_attn.k_proj.bias", "blk.3.attn_k.bias"),
            ("model.layers.3.self_attn.v_proj.bias", "blk.3.attn_v.bias"),
            ("model.layers.3.self_attn.o_proj.weight", "blk.3.attn_output.weight"),
            ("model.layers.3.self_attn.q_norm.weight", "blk.3.attn_q_norm.weight"),
            ("model.layers.3.self_attn.k_norm.weight", "blk.3.attn_k_norm.weight"),
            ("model.layers.29.mlp.gate_proj.weight", "blk.29.ffn_gate.weight"),
            ("model.layers.29.mlp.up_proj.weight", "blk.29.ffn_up.weight"),
            ("model.layers.29.mlp.down_proj.weight", "blk.29.ffn_down.weight"),
        ]
        for (hf, name) in pairs {
            #expect(GGUFTensorNames.ggufName(forHF: hf) == name)
            #expect(GGUFTensorNames.hfName(forGGUF: name) == hf)
        }
        #expect(GGUFTensorNames.ggufName(forHF: "model.layers.x.mlp.up_proj.weight") == nil)
        #expect(GGUFTensorNames.ggufName(forHF: "model.layers.01.mlp.up_proj.weight") == nil)
        #expect(GGUFTensorNames.hfName(forGGUF: "blk.0.unknown.weight") == nil)
        #expect(GGUFTensorNames.hfName(forGGUF: "rope_freqs.weight") == nil)
    }

    /// Every tensor, after un-permuting q/k, equals the original HF tensor.
    @Test func tensorsComeOutInHuggingFaceLayout() throws {
        for name in reference.tensorNames {
            let original = try reference.tensor(name)
            let converted = try gguf.tensor(name)
            #expect(converted.shape == original.shape, "\(name)")
            #expect(try gguf.dequantized(name) == reference.dequantized(name), "\(name)")
        }
        #expect(try gguf.tensor("model.layers.0.self_attn.k_proj.weight").dtype == .q8_0)
        #expect(try gguf.tensor("model.layers.0.self_attn.q_proj.weight").shape == [32, 32])
        #expect(try gguf.tensor("model.layers.0.self_attn.k_proj.bias").shape == [16])
    }

    @Test func permutedTensorsDifferFromStoredOnes() throws {
        // Guards the test above: the stored q rows really are permuted.
        let stored = try gguf.gguf.dequantized(named: "blk.0.attn_q.weight")
        #expect(try stored != reference.dequantized("model.layers.0.self_attn.q_proj.weight"))
        // Row 1 of head 0 (HF) is stored at row 2 (head dim 8: i = 1, j = 0).
        let hf = try gguf.dequantized("model.layers.0.self_attn.q_proj.weight")
        #expect(Array(hf[32..<64]) == Array(stored[64..<96]))
        // Row 4 of head 1 (HF: j = 1, i = 0) is stored at row 8 + 1.
        #expect(Array(hf[(12 * 32)..<(13 * 32)]) == Array(stored[(9 * 32)..<(10 * 32)]))
    }

    @Test func otherTensorsAreZeroCopy() throws {
        let view = try gguf.tensor("model.layers.0.mlp.up_proj.weight")
        #expect(view.owner === gguf.gguf.file)
        let copied = try gguf.tensor("model.layers.0.self_attn.q_proj.weight")
        #expect(copied.owner !== gguf.gguf.file)
    }

    @Test func qwenTensorsAreNotPermuted() throws {
        let qwen = try GGUFWeightSource(path: Fixture.path("qwen3_meta.gguf"))
        let name = "model.layers.0.self_attn.q_proj.weight"
        #expect(try qwen.dequantized(name) == qwen.gguf.dequantized(named: "blk.0.attn_q.weight"))
        #expect(try qwen.tensor(name).owner === qwen.gguf.file)
        #expect(qwen.contains("lm_head.weight"))
    }

    @Test func missingTensorNamesTheGGUFName() {
        let error = #expect(throws: CheckpointError.self) { try gguf.tensor("lm_head.weight") }
        guard case let .missingTensor(file, name) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(file.hasSuffix("llama_permuted.gguf"))
        #expect(name == "lm_head.weight (GGUF name 'output.weight')")
    }

    @Test func llamaWithoutHeadCountIsAnError() throws {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        b.keyString("general.architecture", "llama")
        let file = try b.parse()
        #expect(throws: CheckpointError.missingMetadata(file: "built.gguf", key: "llama.attention.head_count")) {
            try GGUFWeightSource(file)
        }
    }
}
