/// The mapping between Hugging Face tensor names and llama.cpp's GGUF names: the Llama
/// family's (llama, qwen2, qwen3) by default, with per-architecture differences
/// (llama.cpp's `MODEL_TENSORS`): Gemma's sandwich norms, Phi-3's fused projections.
public enum GGUFTensorNames {
    private static let global: [(hf: String, gguf: String)] = [
        ("model.embed_tokens.weight", "token_embd.weight"),
        ("model.norm.weight", "output_norm.weight"),
        ("lm_head.weight", "output.weight"),
    ]

    /// Per-layer names without the `model.layers.N.` / `blk.N.` prefix.
    private static let layer: [(hf: String, gguf: String)] = [
        ("input_layernorm.weight", "attn_norm.weight"),
        ("post_attention_layernorm.weight", "ffn_norm.weight"),
        ("self_attn.q_proj.weight", "attn_q.weight"),
        ("self_attn.k_proj.weight", "attn_k.weight"),
        ("self_attn.v_proj.weight", "attn_v.weight"),
        ("self_attn.o_proj.weight", "attn_output.weight"),
        ("self_attn.q_proj.bias", "attn_q.bias"),
        ("self_attn.k_proj.bias", "attn_k.bias"),
        ("self_attn.v_proj.bias", "attn_v.bias"),
        ("self_attn.o_proj.bias", "attn_output.bias"),
        ("self_attn.q_norm.weight", "attn_q_norm.weight"),
        ("self_attn.k_norm.weight", "attn_k_norm.weight"),
        ("mlp.gate_proj.weight", "ffn_gate.weight"),
        ("mlp.up_proj.weight", "ffn_up.weight"),
        ("mlp.down_proj.weight", "ffn_down.weight"),
        // Mixture of experts: the router, and every expert's projection merged into one
        // [experts, rows, columns] tensor (named as transformers 5 names the fused down
        // projection; gate and up stay separate, as llama.cpp keeps them).
        ("mlp.gate.weight", "ffn_gate_inp.weight"),
        ("mlp.experts.gate_proj", "ffn_gate_exps.weight"),
        ("mlp.experts.up_proj", "ffn_up_exps.weight"),
        ("mlp.experts.down_proj", "ffn_down_exps.weight"),
    ]

    /// Per-layer names that differ from the Llama family's, by `general.architecture`.
    private static let layerOverrides: [String: [(hf: String, gguf: String)]] = [
        "gemma2": gemmaNorms,
        "gemma3": gemmaNorms,
        "phi3": [
            ("self_attn.qkv_proj.weight", "attn_qkv.weight"),
            // llama.cpp keeps Phi-3's fused [gate; up] rows as one ffn_up tensor.
            ("mlp.gate_up_proj.weight", "ffn_up.weight"),
        ],
    ]

    private static let gemmaNorms: [(hf: String, gguf: String)] = [
        ("post_attention_layernorm.weight", "post_attention_norm.weight"),
        ("pre_feedforward_layernorm.weight", "ffn_norm.weight"),
        ("post_feedforward_layernorm.weight", "post_ffw_norm.weight"),
    ]

    /// Per-layer tables of the architectures with overrides: Llama's, with the overrides
    /// replacing the entries of the same HF or GGUF name (built once, not per lookup).
    private static let overriddenLayerTables = layerOverrides.mapValues { overrides in
        let replaced = Set(overrides.map(\.hf)).union(overrides.map(\.gguf))
        let table = layer.filter { !replaced.contains($0.hf) && !replaced.contains($0.gguf) } + overrides
        return (toGGUF: Dictionary(uniqueKeysWithValues: table.map { ($0.hf, $0.gguf) }),
                toHF: Dictionary(uniqueKeysWithValues: table.map { ($0.gguf, $0.hf) }))
    }

    /// The per-layer table of an architecture (nil or one without overrides: Llama's).
    private static func layerTable(_ architecture: String?) -> (toGGUF: [String: String], toHF: [String: String]) {
        architecture.flatMap { overriddenLayerTables[$0] } ?? (layerToGGUF, layerToHF)
    }

    private static let globalToGGUF = Dictionary(uniqueKeysWithValues: global.map { ($0.hf, $0.gguf) })
    private static let globalToHF = Dictionary(uniqueKeysWithValues: global.map { ($0.gguf, $0.hf) })
    private static let layerToGGUF = Dictionary(uniqueKeysWithValues: layer.map { ($0.hf, $0.gguf) })
    private static let layerToHF = Dictionary(uniqueKeysWithValues: layer.map { ($0.gguf, $0.hf) })

    /// The GGUF name of an HF tensor name in a file of `architecture` (nil: the Llama
    /// family's names), or nil when it has none.
    public static func ggufName(forHF name: String, architecture: String? = nil) -> String? {
        if let mapped = globalToGGUF[name] { return mapped }
        guard let (layerIndex, rest) = split(name, prefix: "model.layers."), let mapped = layerTable(architecture).toGGUF[rest] else {
            return nil
        }
        return "blk.\(layerIndex).\(mapped)"
    }

    /// The HF name of a GGUF tensor name in a file of `architecture`, or nil when it has none.
    public static func hfName(forGGUF name: String, architecture: String? = nil) -> String? {
        if let mapped = globalToHF[name] { return mapped }
        guard let (layerIndex, rest) = split(name, prefix: "blk."), let mapped = layerTable(architecture).toHF[rest] else { return nil }
        return "model.layers.\(layerIndex).\(mapped)"
    }

    /// Splits `prefix` + decimal layer index + "." + rest.
    private static func split(_ name: String, prefix: String) -> (Int, String)? {
        guard name.hasPrefix(prefix) else { return nil }
        let tail = name.dropFirst(prefix.count)
        guard let dot = tail.firstIndex(of: ".") else { return nil }
        let digits = tail[..<dot]
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let index = Int(digits) else {
            return nil
        }
        // Reject "01" so that the mapping stays one-to-one.
        guard String(index) == digits else { return nil }
        return (index, String(tail[tail.index(after: dot)...]))
    }
}
