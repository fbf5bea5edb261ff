extension GGUFFile {
    /// The metadata key a field of the converted `config.json` (`huggingFaceConfigJSON()`)
    /// is read from, so that an error in the converted config can name what the file
    /// holds; nil for fields the conversion derives (tied embeddings, biases, layer types).
    public func metadataKey(forConfigField field: String) -> String? {
        guard let arch = architecture else { return nil }
        switch field {
        case "hidden_size": return "\(arch).embedding_length"
        case "intermediate_size": return "\(arch).feed_forward_length"
        case "num_hidden_layers": return "\(arch).block_count"
        case "num_attention_heads": return "\(arch).attention.head_count"
        case "num_key_value_heads": return "\(arch).attention.head_count_kv"
        case "head_dim": return "\(arch).attention.key_length"
        case "rms_norm_eps": return "\(arch).attention.layer_norm_rms_epsilon"
        case "rope_theta": return "\(arch).rope.freq_base"
        case "max_position_embeddings": return "\(arch).context_length"
        case "vocab_size": return metadata["\(arch).vocab_size"] != nil ? "\(arch).vocab_size" : "tokenizer.ggml.tokens"
        case "num_experts", "num_local_experts": return "\(arch).expert_count"
        case "num_experts_per_tok": return "\(arch).expert_used_count"
        case "moe_intermediate_size": return "\(arch).expert_feed_forward_length"
        case "sliding_window": return "\(arch).attention.sliding_window"
        case "attn_logit_softcapping": return "\(arch).attn_logit_softcapping"
        case "final_logit_softcapping": return "\(arch).final_logit_softcapping"
        default: return nil
        }
    }
}
