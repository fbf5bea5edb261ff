import LLMRuntime

/// The element types named by the safetensors format, with their storage width.
struct SafetensorsDType {
    let name: String
    let bits: Int
    /// The engine's element type, or nil when tensors of this type cannot be read.
    let dtype: DType?

    static func lookup(_ name: String) -> SafetensorsDType? { table[name] }

    private static let table: [String: SafetensorsDType] = {
        let entries: [(String, Int, DType?)] = [
            ("F32", 32, .f32), ("F16", 16, .f16), ("BF16", 16, .bf16), ("F8_E4M3", 8, .f8_e4m3),
            ("I32", 32, .i32),
            ("F64", 64, nil), ("I64", 64, nil), ("U64", 64, nil), ("U32", 32, nil),
            ("I16", 16, nil), ("U16", 16, nil), ("I8", 8, nil), ("U8", 8, nil), ("BOOL", 8, nil),
            ("F8_E5M2", 8, nil), ("F8_E8M0", 8, nil), ("F6_E2M3", 6, nil), ("F6_E3M2", 6, nil),
            ("F4", 4, nil), ("C64", 64, nil),
        ]
        var table: [String: SafetensorsDType] = [:]
        for (name, bits, dtype) in entries { table[name] = SafetensorsDType(name: name, bits: bits, dtype: dtype) }
        return table
    }()
}
