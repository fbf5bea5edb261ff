import LLMRuntime

/// What is known about a ggml tensor type id: its name, block layout and, when the
/// engine can read it, the matching `DType`.
struct GGMLType {
    let id: UInt32
    let name: String
    /// Elements per block and bytes per block.
    let blockElements: Int
    let blockBytes: Int
    let dtype: DType?

    /// Type ids as used in GGUF files (ggml's `ggml_type`).
    static func lookup(_ id: UInt32) -> GGMLType? { table[id] }

    /// A readable name for any id, known or not.
    static func name(_ id: UInt32) -> String { table[id]?.name ?? "unknown ggml type \(id)" }

    private static let table: [UInt32: GGMLType] = {
        let entries: [(UInt32, String, Int, Int, DType?)] = [
            (0, "F32", 1, 4, .f32),
            (1, "F16", 1, 2, .f16),
            (2, "Q4_0", 32, 18, .q4_0),
            (3, "Q4_1", 32, 20, .q4_1),
            (6, "Q5_0", 32, 22, .q5_0),
            (7, "Q5_1", 32, 24, .q5_1),
            (8, "Q8_0", 32, 34, .q8_0),
            (9, "Q8_1", 32, 36, nil),
            (10, "Q2_K", 256, 84, nil),
            (11, "Q3_K", 256, 110, nil),
            (12, "Q4_K", 256, 144, .q4_K),
            (13, "Q5_K", 256, 176, .q5_K),
            (14, "Q6_K", 256, 210, .q6_K),
            (15, "Q8_K", 256, 292, .q8_K),
            (16, "IQ2_XXS", 256, 66, nil),
            (17, "IQ2_XS", 256, 74, nil),
            (18, "IQ3_XXS", 256, 98, nil),
            (19, "IQ1_S", 256, 50, nil),
            (20, "IQ4_NL", 32, 18, nil),
            (21, "IQ3_S", 256, 110, nil),
            (22, "IQ2_S", 256, 82, nil),
            (23, "IQ4_XS", 256, 136, nil),
            (24, "I8", 1, 1, nil),
            (25, "I16", 1, 2, nil),
            (26, "I32", 1, 4, .i32),
            (27, "I64", 1, 8, nil),
            (28, "F64", 1, 8, nil),
            (29, "IQ1_M", 256, 56, nil),
            (30, "BF16", 1, 2, .bf16),
            (34, "TQ1_0", 256, 54, nil),
            (35, "TQ2_0", 256, 66, nil),
            (39, "MXFP4", 32, 17, nil),
        ]
        var table: [UInt32: GGMLType] = [:]
        for (id, name, elements, bytes, dtype) in entries {
            table[id] = GGMLType(id: id, name: name, blockElements: elements, blockBytes: bytes, dtype: dtype)
        }
        return table
    }()
}
