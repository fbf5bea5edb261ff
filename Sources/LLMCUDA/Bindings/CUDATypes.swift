/// C ABI types of the CUDA driver, NVRTC and cuBLASLt, spelled as the headers define
/// them: results and enums are 32-bit integers, handles are opaque pointers, device
/// addresses are 64-bit integers. Only what SwiftLLM binds is declared.

/// `CUresult`: 0 is success.
public typealias CUresult = Int32
/// `CUdevice`: a device ordinal handle.
public typealias CUdevice = Int32
/// `CUdeviceptr`: a device address.
public typealias CUdeviceptr = UInt64
/// `CUcontext`, `CUstream`, `CUevent`, `CUmodule`, `CUfunction`: opaque handles.
public typealias CUcontext = OpaquePointer
public typealias CUstream = OpaquePointer
public typealias CUevent = OpaquePointer
public typealias CUmodule = OpaquePointer
public typealias CUfunction = OpaquePointer

/// `nvrtcResult` and `nvrtcProgram`.
public typealias NVRTCResult = Int32
public typealias NVRTCProgram = OpaquePointer

/// `cublasStatus_t` and the cuBLASLt handles.
public typealias CublasStatus = Int32
public typealias CublasLtHandle = OpaquePointer
public typealias CublasLtMatmulDesc = OpaquePointer
public typealias CublasLtMatrixLayout = OpaquePointer
public typealias CublasLtMatmulPreference = OpaquePointer

/// Constants from cuda.h used by this module.
enum CUDAConstant {
    static let success: CUresult = 0
    static let errorOutOfMemory: CUresult = 2
    static let errorNotReady: CUresult = 600

    // CUdevice_attribute
    static let attributeMaxThreadsPerBlock: Int32 = 1
    static let attributeMaxSharedMemoryPerBlock: Int32 = 8
    static let attributeMultiprocessorCount: Int32 = 16
    static let attributeL2CacheSize: Int32 = 38
    static let attributeComputeCapabilityMajor: Int32 = 75
    static let attributeComputeCapabilityMinor: Int32 = 76
    static let attributeMaxSharedMemoryPerMultiprocessor: Int32 = 81
    static let attributeMaxSharedMemoryPerBlockOptin: Int32 = 97

    // CUfunction_attribute
    static let functionAttributeMaxDynamicSharedSizeBytes: Int32 = 8

    // Flags
    static let streamNonBlocking: UInt32 = 0x1
    static let eventDefault: UInt32 = 0x0
    static let eventDisableTiming: UInt32 = 0x2

    /// Dynamic shared memory a kernel may use without raising its attribute.
    static let defaultDynamicSharedMemoryLimit = 48 * 1024
}

/// `cudaDataType_t` values (library_types.h) used with cuBLASLt.
public enum CUDADataType: Int32, Sendable, Hashable {
    case f32 = 0
    case f16 = 2
    case bf16 = 14
    case f8E4M3 = 28
    case f8E5M2 = 29

    /// Bytes of one element.
    public var byteWidth: Int {
        switch self {
        case .f32: return 4
        case .f16, .bf16: return 2
        case .f8E4M3, .f8E5M2: return 1
        }
    }
}
