/// The cuBLASLt functions SwiftLLM uses, bound from `libcublasLt.so.13` or `.12`.
/// Device addresses are passed as raw pointers (`const void*` in cublasLt.h).
public final class CublasLtAPI: @unchecked Sendable {
    public typealias Status = CublasStatus
    public let library: DynamicLibrary

    let cublasLtCreate: @convention(c) (UnsafeMutablePointer<CublasLtHandle?>?) -> Status
    let cublasLtDestroy: @convention(c) (CublasLtHandle?) -> Status
    let cublasLtGetVersion: @convention(c) () -> Int
    let cublasLtGetStatusString: (@convention(c) (Status) -> UnsafePointer<CChar>?)?
    let cublasLtMatmulDescCreate: @convention(c) (UnsafeMutablePointer<CublasLtMatmulDesc?>?, Int32, Int32) -> Status
    let cublasLtMatmulDescDestroy: @convention(c) (CublasLtMatmulDesc?) -> Status
    let cublasLtMatmulDescSetAttribute: @convention(c) (CublasLtMatmulDesc?, Int32, UnsafeRawPointer?, Int) -> Status
    let cublasLtMatrixLayoutCreate: @convention(c) (UnsafeMutablePointer<CublasLtMatrixLayout?>?, Int32, UInt64, UInt64, Int64) -> Status
    let cublasLtMatrixLayoutDestroy: @convention(c) (CublasLtMatrixLayout?) -> Status
    let cublasLtMatmulPreferenceCreate: @convention(c) (UnsafeMutablePointer<CublasLtMatmulPreference?>?) -> Status
    let cublasLtMatmulPreferenceDestroy: @convention(c) (CublasLtMatmulPreference?) -> Status
    let cublasLtMatmulPreferenceSetAttribute: @convention(c) (CublasLtMatmulPreference?, Int32, UnsafeRawPointer?, Int) -> Status
    let cublasLtMatmulAlgoGetHeuristic: @convention(c) (
        CublasLtHandle?, CublasLtMatmulDesc?, CublasLtMatrixLayout?, CublasLtMatrixLayout?, CublasLtMatrixLayout?,
        CublasLtMatrixLayout?, CublasLtMatmulPreference?, Int32, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>?) -> Status
    let cublasLtMatmul: @convention(c) (
        CublasLtHandle?, CublasLtMatmulDesc?, UnsafeRawPointer?, UnsafeRawPointer?, CublasLtMatrixLayout?,
        UnsafeRawPointer?, CublasLtMatrixLayout?, UnsafeRawPointer?, UnsafeRawPointer?, CublasLtMatrixLayout?,
        UnsafeMutableRawPointer?, CublasLtMatrixLayout?, UnsafeRawPointer?, UnsafeMutableRawPointer?, Int, CUstream?) -> Status

    /// Binds every function; a missing one is ``CUDAError/symbolNotFound(library:path:symbol:)``.
    public init(library: DynamicLibrary) throws {
        self.library = library
        cublasLtCreate = try library.symbol("cublasLtCreate")
        cublasLtDestroy = try library.symbol("cublasLtDestroy")
        cublasLtGetVersion = try library.symbol("cublasLtGetVersion")
        cublasLtGetStatusString = library.optionalSymbol("cublasLtGetStatusString")
        cublasLtMatmulDescCreate = try library.symbol("cublasLtMatmulDescCreate")
        cublasLtMatmulDescDestroy = try library.symbol("cublasLtMatmulDescDestroy")
        cublasLtMatmulDescSetAttribute = try library.symbol("cublasLtMatmulDescSetAttribute")
        cublasLtMatrixLayoutCreate = try library.symbol("cublasLtMatrixLayoutCreate")
        cublasLtMatrixLayoutDestroy = try library.symbol("cublasLtMatrixLayoutDestroy")
        cublasLtMatmulPreferenceCreate = try library.symbol("cublasLtMatmulPreferenceCreate")
        cublasLtMatmulPreferenceDestroy = try library.symbol("cublasLtMatmulPreferenceDestroy")
        cublasLtMatmulPreferenceSetAttribute = try library.symbol("cublasLtMatmulPreferenceSetAttribute")
        cublasLtMatmulAlgoGetHeuristic = try library.symbol("cublasLtMatmulAlgoGetHeuristic")
        cublasLtMatmul = try library.symbol("cublasLtMatmul")
    }

    /// The library version, e.g. 130001 for 13.0.1.
    public var version: Int { cublasLtGetVersion() }

    /// Throws ``CUDAError/cublas(call:status:message:)`` unless `status` is success.
    public func check(_ status: Status, _ call: @autoclosure () -> String) throws {
        if status != 0 { throw CUDAError.cublas(call: call(), status: status, message: message(status)) }
    }

    func message(_ status: Status) -> String {
        if let text = cublasLtGetStatusString?(status) { return String(cString: text) }
        switch status {
        case 1: return "CUBLAS_STATUS_NOT_INITIALIZED"
        case 3: return "CUBLAS_STATUS_ALLOC_FAILED"
        case 7: return "CUBLAS_STATUS_INVALID_VALUE"
        case 8: return "CUBLAS_STATUS_ARCH_MISMATCH"
        case 11: return "CUBLAS_STATUS_MAPPING_ERROR"
        case 13: return "CUBLAS_STATUS_EXECUTION_FAILED"
        case 14: return "CUBLAS_STATUS_INTERNAL_ERROR"
        case 15: return "CUBLAS_STATUS_NOT_SUPPORTED"
        case 16: return "CUBLAS_STATUS_LICENSE_ERROR"
        default: return "cuBLAS status \(status)"
        }
    }
}

/// cublasLt.h enum values used by ``BlasLtMatmul``.
enum CublasLtConstant {
    static let computeF32: Int32 = 68            // CUBLAS_COMPUTE_32F
    static let operationN: Int32 = 0             // CUBLAS_OP_N
    static let operationT: Int32 = 1             // CUBLAS_OP_T
    // cublasLtMatmulDescAttributes_t
    static let descTransA: Int32 = 3
    static let descTransB: Int32 = 4
    static let descEpilogue: Int32 = 7
    static let descBiasPointer: Int32 = 8
    static let descBiasDataType: Int32 = 26
    static let epilogueDefault: UInt32 = 1
    static let epilogueBias: UInt32 = 4
    // cublasLtMatmulPreferenceAttributes_t
    static let preferenceMaxWorkspaceBytes: Int32 = 1
    static let preferenceMinAlignmentA: Int32 = 5
    static let preferenceMinAlignmentB: Int32 = 6
    static let preferenceMinAlignmentC: Int32 = 7
    static let preferenceMinAlignmentD: Int32 = 8
    /// sizeof(cublasLtMatmulHeuristicResult_t): algo (8 × u64), workspaceSize (size_t),
    /// state (i32), wavesCount (f32), reserved (4 × i32).
    static let heuristicResultBytes = 96
    static let heuristicWorkspaceOffset = 64
    static let heuristicStateOffset = 72
    /// sizeof(cublasLtMatmulAlgo_t).
    static let algoBytes = 64
}
