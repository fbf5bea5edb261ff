/// Element types of tensors. Quantized types are GGML block formats: a tensor row
/// is a sequence of fixed-size blocks, each holding `blockElements` values.
public enum DType: String, Sendable, CaseIterable, Codable {
    case f32, f16, bf16, i32
    case q4_0, q4_1, q5_0, q5_1, q8_0
    case q4_K, q5_K, q6_K, q8_K
    /// 8-bit float (e4m3): readable from safetensors, and a KV cache type on CUDA.
    case f8_e4m3

    /// Number of elements in one storage block (1 for plain types).
    public var blockElements: Int {
        switch self {
        case .f32, .f16, .bf16, .i32, .f8_e4m3: return 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0: return 32
        case .q4_K, .q5_K, .q6_K, .q8_K: return 256
        }
    }

    /// Bytes of one storage block.
    public var blockBytes: Int {
        switch self {
        case .f32, .i32: return 4
        case .f16, .bf16: return 2
        case .f8_e4m3: return 1
        case .q4_0: return 18
        case .q4_1: return 20
        case .q5_0: return 22
        case .q5_1: return 24
        case .q8_0: return 34
        case .q4_K: return 144
        case .q5_K: return 176
        case .q6_K: return 210
        case .q8_K: return 292
        }
    }

    public var isQuantized: Bool { blockElements > 1 }

    /// Bytes needed for `count` elements; `count` must be a multiple of `blockElements`.
    public func byteCount(elements count: Int) -> Int {
        count / blockElements * blockBytes
    }
}
