import Foundation
import LLMCheckpoint
import Testing

@Suite struct HuggingFaceConfigTests {
    private func config(_ fixture: String) throws -> [String: Any] {
        let data = try GGUFFile(path: Fixture.path(fixture)).huggingFaceConfigJSON()
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    @Test func llama() throws {
        let c = try config("llama_permuted.gguf")
        #expect(c["architectures"] as? [String] == ["LlamaForCausalLM"])
        #expect(c["model_type"] as? String == "llama")
        #expect(c["hidden_size"] as? Int == 32)
        #expect(c["intermediate_size"] as? Int == 64)
        #expect(c["num_hidden_layers"] as? Int == 1)
        #expect(c["num_attention_heads"] as? Int == 4)
        #expect(c["num_key_value_heads"] as? Int == 2)
        #expect(c["head_dim"] as? Int == 8)
        #expect(c["rms_norm_eps"] as? Double == 1e-5)
        #expect(c["rope_theta"] as? Double == 500000)
        #expect(c["max_position_embeddings"] as? Int == 128)
        #expect(c["vocab_size"] as? Int == 16)  // from tokenizer.ggml.tokens
        #expect(c["tie_word_embeddings"] as? Bool == true)
        #expect(c["bos_token_id"] as? Int == 1)
        #expect(c["eos_token_id"] as? Int == 2)
        #expect(c["attention_bias"] as? Bool == true)
        let scaling = try #require(c["rope_scaling"] as? [String: Any])
        #expect(scaling["type"] as? String == "linear")
        #expect(scaling["rope_type"] as? String == "linear")
        #expect(scaling["factor"] as? Double == 2)
        #expect(scaling["original_max_position_embeddings"] as? Int == 64)
    }

    @Test func qwen3() throws {
        let c = try config("qwen3_meta.gguf")
        #expect(c["architectures"] as? [String] == ["Qwen3ForCausalLM"])
        #expect(c["model_type"] as? String == "qwen3")
        #expect(c["hidden_size"] as? Int == 16)
        #expect(c["num_attention_heads"] as? Int == 2)
        #expect(c["num_key_value_heads"] as? Int == 1)
        #expect(c["head_dim"] as? Int == 16)  // attention.key_length, not 16 / 2
        #expect(c["rms_norm_eps"] as? Double == 1e-6)
        #expect(c["rope_theta"] as? Double == 1_000_000)
        #expect(c["vocab_size"] as? Int == 20)  // qwen3.vocab_size
        #expect(c["tie_word_embeddings"] as? Bool == false)  // output.weight present
        #expect(c["bos_token_id"] == nil)
        #expect(c["eos_token_id"] as? Int == 5)
        let scaling = try #require(c["rope_scaling"] as? [String: Any])
        #expect(scaling["rope_type"] as? String == "yarn")
        #expect(scaling["factor"] as? Double == 4)
    }

    @Test func missingKeyIsNamed() throws {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 2)
        b.keyString("general.architecture", "qwen2")
        b.keyU32("qwen2.embedding_length", 64)
        let file = try b.parse()
        #expect(throws: CheckpointError.missingMetadata(file: "built.gguf", key: "qwen2.attention.head_count")) {
            try file.huggingFaceConfigJSON()
        }
    }

    @Test func architectureOfTheWrongTypeIsNotCalledMissing() throws {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        b.keyU32("general.architecture", 7)
        let error = #expect(throws: CheckpointError.self) { try b.parse().huggingFaceConfigJSON() }
        guard case let .malformed(_, field, expected, _) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(field == "general.architecture" && expected == "a string")
    }

    @Test func unsupportedArchitecture() throws {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 1)
        b.keyString("general.architecture", "gpt2")
        let error = #expect(throws: CheckpointError.self) { try b.parse().huggingFaceConfigJSON() }
        guard case let .unsupported(_, field, value) = error else { Issue.record("got \(String(describing: error))"); return }
        #expect(field == "general.architecture")
        #expect(value.hasPrefix("'gpt2'"))
    }

    @Test func defaultsAndDerivedValues() throws {
        var b = GGUFBuilder(tensorCount: 1, keyValueCount: 7)
        b.requiredModelKeys("qwen2", hidden: 64, heads: 4, ff: 128, blocks: 2, context: 512)
        b.tensorInfo("token_embd.weight", dims: [64, 10], type: 0, offset: 0)
        b.pad(to: 32)
        b.bytes += [UInt8](repeating: 0, count: 64 * 10 * 4)
        let data = try b.parse().huggingFaceConfigJSON()
        let c = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(c["architectures"] as? [String] == ["Qwen2ForCausalLM"])
        #expect(c["num_key_value_heads"] as? Int == 4)
        #expect(c["head_dim"] as? Int == 16)
        #expect(c["rope_theta"] as? Double == 10000)
        #expect(c["vocab_size"] as? Int == 10)  // from token_embd.weight
        #expect(c["tie_word_embeddings"] as? Bool == true)
        #expect(c["attention_bias"] == nil)
        #expect(c["rope_scaling"] == nil)
    }
}

/// Metadata numbers must be finite: NaN cannot become a config value (it once surfaced
/// as a JSON encoder's error naming neither the file nor the key).
@Suite struct GGUFConfigValueTests {
    /// A qwen2 file with the required keys and the given rope base (f32 metadata).
    private func file(ropeBase: Float) throws -> GGUFFile {
        var b = GGUFBuilder(tensorCount: 0, keyValueCount: 9)
        b.requiredModelKeys("qwen2", hidden: 8, heads: 2, ff: 16, blocks: 2, context: 64)
        b.keyU32("qwen2.vocab_size", 32)
        b.keyF32("qwen2.rope.freq_base", ropeBase)
        return try b.parse()
    }

    @Test func nonFiniteNumbersAreNamed() throws {
        let fine = try JSONSerialization.jsonObject(with: file(ropeBase: 500_000).huggingFaceConfigJSON()) as? [String: Any]
        #expect(fine?["rope_theta"] as? Double == 500_000)
        for bad in [Float.nan, .infinity] {
            let error = #expect(throws: CheckpointError.self) { try file(ropeBase: bad).huggingFaceConfigJSON() }
            guard case let .malformed(file, field, expected, _) = error else { Issue.record("got \(String(describing: error))"); continue }
            #expect(file == "built.gguf" && field == "qwen2.rope.freq_base" && expected == "a finite number")
        }
    }
}
