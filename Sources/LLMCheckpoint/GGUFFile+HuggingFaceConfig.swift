import Foundation

extension GGUFFile {
    /// Architectures whose GGUF metadata can be turned into an HF `config.json`, with
    /// their HF class names.
    public static let huggingFaceArchitectures: [String: String] = [
        "llama": "LlamaForCausalLM",
        "qwen2": "Qwen2ForCausalLM",
        "qwen3": "Qwen3ForCausalLM",
        "qwen3moe": "Qwen3MoeForCausalLM",
        "gemma2": "Gemma2ForCausalLM",
        "gemma3": "Gemma3ForCausalLM",
        "phi3": "Phi3ForCausalLM",
    ]

    /// An HF-style `config.json` built from this file's metadata, so that a GGUF model
    /// loads through the same config decoding as an HF folder.
    /// - Throws: `unsupported` for an architecture outside `huggingFaceArchitectures` or an
    ///   unknown RoPE scaling type; `missingMetadata` naming the first absent required key;
    ///   `malformed` naming a key of the wrong type or a number that is not finite.
    public func huggingFaceConfigJSON() throws -> Data {
        let config = try huggingFaceConfig()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(config)
    }

    func huggingFaceConfig() throws -> HuggingFaceConfig {
        guard let arch = architecture else {
            if let value = metadata["general.architecture"] {
                throw CheckpointError.malformed(file: path, field: "general.architecture", expected: "a string", found: "\(value.type) \(value)")
            }
            throw CheckpointError.missingMetadata(file: path, key: "general.architecture")
        }
        guard let className = Self.huggingFaceArchitectures[arch] else {
            throw CheckpointError.unsupported(
                file: path, field: "general.architecture",
                value: "'\(arch)' (config conversion supports \(Self.huggingFaceArchitectures.keys.sorted()))")
        }
        let hidden = try requiredInt("\(arch).embedding_length")
        let heads = try requiredInt("\(arch).attention.head_count")
        guard heads > 0 else {
            throw CheckpointError.malformed(
                file: path, field: "\(arch).attention.head_count", expected: "a positive count", found: "\(heads)")
        }
        let kvHeads = try optionalInt("\(arch).attention.head_count_kv") ?? heads
        var config = HuggingFaceConfig(
            architectures: [className],
            modelType: arch,
            hiddenSize: hidden,
            intermediateSize: try requiredInt("\(arch).feed_forward_length"),
            numHiddenLayers: try requiredInt("\(arch).block_count"),
            numAttentionHeads: heads,
            numKeyValueHeads: kvHeads,
            headDim: try optionalInt("\(arch).attention.key_length") ?? hidden / heads,
            rmsNormEps: try requiredDouble("\(arch).attention.layer_norm_rms_epsilon"),
            ropeTheta: try optionalDouble("\(arch).rope.freq_base") ?? 10000,
            maxPositionEmbeddings: try requiredInt("\(arch).context_length"),
            vocabSize: try vocabSize(arch: arch),
            tieWordEmbeddings: info(named: "output.weight") == nil,
            bosTokenID: try optionalInt("tokenizer.ggml.bos_token_id"),
            eosTokenID: try optionalInt("tokenizer.ggml.eos_token_id"),
            hiddenAct: "silu",
            attentionBias: nil,
            ropeScaling: try ropeScaling(arch: arch))
        if arch != "qwen2" { config.attentionBias = info(named: "blk.0.attn_q.bias") != nil }
        switch arch {
        case "gemma2", "gemma3": try addGemmaKeys(to: &config, arch: arch)
        case "phi3": try addPhi3Keys(to: &config)
        default: break
        }
        try addExperts(to: &config, arch: arch)
        return config
    }

    /// The mixture-of-experts keys of `{arch}.expert_count` models: llama.cpp stores
    /// Mixtral as "llama" with experts, and Qwen3-MoE as "qwen3moe". Layers without a
    /// router (`ffn_gate_inp`) are dense (`mlp_only_layers`); routing weights are
    /// renormalised unless `{arch}.expert_weights_norm` says otherwise (llama.cpp's
    /// Mixtral and Qwen3-MoE graphs always renormalise).
    private func addExperts(to config: inout HuggingFaceConfig, arch: String) throws {
        guard let experts = try optionalInt("\(arch).expert_count"), experts > 0 else { return }
        config.numExpertsPerTok = try requiredInt("\(arch).expert_used_count")
        let normalize = try optionalBool("\(arch).expert_weights_norm") ?? true
        switch arch {
        case "llama":
            config.architectures = ["MixtralForCausalLM"]
            config.modelType = "mixtral"
            config.numLocalExperts = experts
            if let width = try optionalInt("\(arch).expert_feed_forward_length") { config.intermediateSize = width }
            guard normalize else {
                throw CheckpointError.unsupported(file: path, field: "\(arch).expert_weights_norm", value: "false (Mixtral renormalises)")
            }
        case "qwen3moe":
            config.modelType = "qwen3_moe"
            config.numExperts = experts
            config.moeIntermediateSize = try requiredInt("\(arch).expert_feed_forward_length")
            config.normTopkProb = normalize
            config.mlpOnlyLayers = (0..<config.numHiddenLayers).filter { info(named: "blk.\($0).ffn_gate_inp.weight") == nil }
        default:
            throw CheckpointError.unsupported(file: path, field: "\(arch).expert_count", value: "\(experts) (experts are read for llama and qwen3moe)")
        }
    }

    private func optionalBool(_ key: String) throws -> Bool? {
        guard let value = metadata[key] else { return nil }
        guard let bool = value.bool else {
            throw CheckpointError.malformed(file: path, field: key, expected: "a boolean", found: "\(value.type) \(value)")
        }
        return bool
    }

    /// Gemma's keys as llama.cpp writes and reads them: caps and window from metadata
    /// (llama.cpp's defaults, 50 and 30 for Gemma 2, when absent), the local RoPE base
    /// from `rope.freq_base_swa` (10000 when absent), the sliding pattern as a per-layer
    /// list when stored as one. The attention scale is not stored: llama.cpp uses
    /// head_dim^-1/2 except for the 27B models (46 and 62 layers), whose
    /// query_pre_attn_scalar is hidden / heads.
    private func addGemmaKeys(to config: inout HuggingFaceConfig, arch: String) throws {
        config.hiddenAct = "gelu_pytorch_tanh"
        if arch == "gemma3" { config.modelType = "gemma3_text" }
        config.slidingWindow = try optionalInt("\(arch).attention.sliding_window")
        config.attnLogitSoftcapping = try optionalDouble("\(arch).attn_logit_softcapping")
        config.finalLogitSoftcapping = try optionalDouble("\(arch).final_logit_softcapping")
        let is27B = (arch == "gemma2" && config.numHiddenLayers == 46) || (arch == "gemma3" && config.numHiddenLayers == 62)
        config.queryPreAttnScalar = Double(is27B ? config.hiddenSize / config.numAttentionHeads : config.headDim)
        if arch == "gemma3" { config.ropeLocalBaseFreq = try optionalDouble("gemma3.rope.freq_base_swa") ?? 10_000 }
        let patternKey = "\(arch).attention.sliding_window_pattern"
        if let value = metadata[patternKey] {
            if let items = value.array {
                config.layerTypes = try items.map { item in
                    guard let sliding = item.bool else {
                        throw CheckpointError.malformed(file: path, field: patternKey, expected: "booleans", found: "\(item)")
                    }
                    return sliding ? "sliding_attention" : "full_attention"
                }
            } else if let period = value.int, period > 0 {
                config.layerTypes = (0..<config.numHiddenLayers).map { ($0 + 1) % period != 0 ? "sliding_attention" : "full_attention" }
            } else {
                throw CheckpointError.malformed(file: path, field: patternKey, expected: "a positive period or booleans", found: "\(value)")
            }
        }
    }

    /// Phi-3's keys: partial rotary from `rope.dimension_count`, the window (0 = none),
    /// and LongRoPE from the `rope_factors_short`/`rope_factors_long` tensors with the
    /// pretraining length and cos/sin scale llama.cpp stores.
    private func addPhi3Keys(to config: inout HuggingFaceConfig) throws {
        if let rotary = try optionalInt("phi3.rope.dimension_count"), rotary != config.headDim, config.headDim > 0 {
            config.partialRotaryFactor = Double(rotary) / Double(config.headDim)
        }
        if let window = try optionalInt("phi3.attention.sliding_window"), window > 0 { config.slidingWindow = window }
        guard info(named: "rope_factors_short.weight") != nil || info(named: "rope_factors_long.weight") != nil else { return }
        func factors(_ name: String) throws -> [Double] {
            guard info(named: name) != nil else { throw CheckpointError.missingTensor(file: path, name: name) }
            let values = try tensor(named: name).dequantizedValues(file: path, name: name).map(Double.init)
            guard values.allSatisfy(\.isFinite) else {
                throw CheckpointError.malformed(file: path, field: name, expected: "finite rotary factors", found: "NaN or infinity")
            }
            return values
        }
        let original = try requiredInt("phi3.rope.scaling.original_context_length")
        config.originalMaxPositionEmbeddings = original
        config.ropeScaling = .init(type: "longrope", ropeType: "longrope", factor: nil, originalMaxPositionEmbeddings: original,
                                   shortFactor: try factors("rope_factors_short.weight"), longFactor: try factors("rope_factors_long.weight"),
                                   attentionFactor: try optionalDouble("phi3.rope.scaling.attn_factor"))
    }

    private func vocabSize(arch: String) throws -> Int {
        if let size = try optionalInt("\(arch).vocab_size") { return size }
        if let tokens = metadata["tokenizer.ggml.tokens"]?.array { return tokens.count }
        if let embedding = info(named: "token_embd.weight"), embedding.dimensions.count == 2 {
            return embedding.dimensions[1]
        }
        throw CheckpointError.missingMetadata(file: path, key: "tokenizer.ggml.tokens")
    }

    private func ropeScaling(arch: String) throws -> HuggingFaceConfig.RopeScaling? {
        let typeKey = "\(arch).rope.scaling.type"
        guard let value = metadata[typeKey] else { return nil }
        guard let type = value.string else {
            throw CheckpointError.malformed(file: path, field: typeKey, expected: "a string", found: "\(value)")
        }
        switch type {
        case "none":
            return nil
        case "linear", "yarn":
            let factor = try requiredDouble("\(arch).rope.scaling.factor")
            let original = try optionalInt("\(arch).rope.scaling.original_context_length")
            return .init(type: type, ropeType: type, factor: factor, originalMaxPositionEmbeddings: original)
        default:
            throw CheckpointError.unsupported(file: path, field: typeKey, value: "'\(type)' (supported: linear, yarn)")
        }
    }

    private func optionalInt(_ key: String) throws -> Int? {
        guard let value = metadata[key] else { return nil }
        guard let int = value.int else {
            throw CheckpointError.malformed(file: path, field: key, expected: "an integer", found: "\(value.type) \(value)")
        }
        return int
    }

    private func requiredInt(_ key: String) throws -> Int {
        guard let int = try optionalInt(key) else { throw CheckpointError.missingMetadata(file: path, key: key) }
        return int
    }

    private func optionalDouble(_ key: String) throws -> Double? {
        guard let value = metadata[key] else { return nil }
        guard let double = value.decimalDouble, double.isFinite else {
            throw CheckpointError.malformed(file: path, field: key, expected: "a finite number", found: "\(value.type) \(value)")
        }
        return double
    }

    private func requiredDouble(_ key: String) throws -> Double {
        guard let double = try optionalDouble(key) else { throw CheckpointError.missingMetadata(file: path, key: key) }
        return double
    }
}
