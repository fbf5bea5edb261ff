/// The NVRTC functions SwiftLLM uses, bound from `libnvrtc.so.13` or `.12`.
public final class NVRTCAPI: @unchecked Sendable {
    public typealias Status = NVRTCResult
    public let library: DynamicLibrary

    let nvrtcVersion: @convention(c) (UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<Int32>?) -> Status
    let nvrtcGetErrorString: @convention(c) (Status) -> UnsafePointer<CChar>?
    let nvrtcCreateProgram: @convention(c) (UnsafeMutablePointer<NVRTCProgram?>?, UnsafePointer<CChar>?, UnsafePointer<CChar>?, Int32,
                                            UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<UnsafePointer<CChar>?>?) -> Status
    let nvrtcCompileProgram: @convention(c) (NVRTCProgram?, Int32, UnsafePointer<UnsafePointer<CChar>?>?) -> Status
    let nvrtcGetProgramLogSize: @convention(c) (NVRTCProgram?, UnsafeMutablePointer<Int>?) -> Status
    let nvrtcGetProgramLog: @convention(c) (NVRTCProgram?, UnsafeMutablePointer<CChar>?) -> Status
    let nvrtcGetCUBINSize: @convention(c) (NVRTCProgram?, UnsafeMutablePointer<Int>?) -> Status
    let nvrtcGetCUBIN: @convention(c) (NVRTCProgram?, UnsafeMutablePointer<CChar>?) -> Status
    let nvrtcDestroyProgram: @convention(c) (UnsafeMutablePointer<NVRTCProgram?>?) -> Status

    /// Binds every function; a missing one is ``CUDAError/symbolNotFound(library:path:symbol:)``.
    public init(library: DynamicLibrary) throws {
        self.library = library
        nvrtcVersion = try library.symbol("nvrtcVersion")
        nvrtcGetErrorString = try library.symbol("nvrtcGetErrorString")
        nvrtcCreateProgram = try library.symbol("nvrtcCreateProgram")
        nvrtcCompileProgram = try library.symbol("nvrtcCompileProgram")
        nvrtcGetProgramLogSize = try library.symbol("nvrtcGetProgramLogSize")
        nvrtcGetProgramLog = try library.symbol("nvrtcGetProgramLog")
        nvrtcGetCUBINSize = try library.symbol("nvrtcGetCUBINSize")
        nvrtcGetCUBIN = try library.symbol("nvrtcGetCUBIN")
        nvrtcDestroyProgram = try library.symbol("nvrtcDestroyProgram")
    }

    /// NVRTC's success code.
    static let success: Status = 0
    /// NVRTC_ERROR_COMPILATION: the source has errors; the log says where.
    static let compilationError: Status = 6

    /// Throws ``CUDAError/nvrtc(call:code:message:)`` unless `result` is success.
    public func check(_ result: Status, _ call: @autoclosure () -> String) throws {
        if result != Self.success {
            let message = nvrtcGetErrorString(result).map { String(cString: $0) } ?? "NVRTC error"
            throw CUDAError.nvrtc(call: call(), code: result, message: message)
        }
    }

    /// The NVRTC version as (major, minor), e.g. (13, 0).
    public func version() throws -> (major: Int, minor: Int) {
        var major: Int32 = 0, minor: Int32 = 0
        try check(nvrtcVersion(&major, &minor), "nvrtcVersion")
        return (Int(major), Int(minor))
    }
}
