extension DType {
    /// The numeric id of this format in the C kernels (`llm_type` in llm_kernels.h).
    public var kernelTypeID: Int32 {
        switch self {
        case .f32: return 0
        case .f16: return 1
        case .bf16: return 2
        case .q4_0: return 3
        case .q4_1: return 4
        case .q5_0: return 5
        case .q5_1: return 6
        case .q8_0: return 7
        case .q4_K: return 8
        case .q5_K: return 9
        case .q6_K: return 10
        case .q8_K: return 11
        case .f8_e4m3: return 12
        case .i32: return -1
        }
    }
}
