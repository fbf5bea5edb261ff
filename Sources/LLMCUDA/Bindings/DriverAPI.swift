/// The CUDA driver API functions SwiftLLM uses, bound from `libcuda.so.1`. Versioned
/// entry points (`_v2`) are bound by the names cuda.h maps the plain names to.
public final class DriverAPI: @unchecked Sendable {
    public typealias Status = CUresult
    public let library: DynamicLibrary

    let cuInit: @convention(c) (UInt32) -> Status
    let cuDriverGetVersion: @convention(c) (UnsafeMutablePointer<Int32>?) -> Status
    let cuDeviceGet: @convention(c) (UnsafeMutablePointer<CUdevice>?, Int32) -> Status
    let cuDeviceGetCount: @convention(c) (UnsafeMutablePointer<Int32>?) -> Status
    let cuDeviceGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>?, Int32, CUdevice) -> Status
    let cuDeviceGetName: @convention(c) (UnsafeMutablePointer<CChar>?, Int32, CUdevice) -> Status
    let cuDeviceTotalMem: @convention(c) (UnsafeMutablePointer<Int>?, CUdevice) -> Status
    let cuDevicePrimaryCtxRetain: @convention(c) (UnsafeMutablePointer<CUcontext?>?, CUdevice) -> Status
    let cuDevicePrimaryCtxRelease: @convention(c) (CUdevice) -> Status
    let cuCtxSetCurrent: @convention(c) (CUcontext?) -> Status
    let cuMemGetInfo: @convention(c) (UnsafeMutablePointer<Int>?, UnsafeMutablePointer<Int>?) -> Status
    let cuMemAlloc: @convention(c) (UnsafeMutablePointer<CUdeviceptr>?, Int) -> Status
    let cuMemFree: @convention(c) (CUdeviceptr) -> Status
    let cuMemAllocHost: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?, Int) -> Status
    let cuMemFreeHost: @convention(c) (UnsafeMutableRawPointer?) -> Status
    let cuMemcpyHtoDAsync: @convention(c) (CUdeviceptr, UnsafeRawPointer?, Int, CUstream?) -> Status
    let cuMemcpyDtoHAsync: @convention(c) (UnsafeMutableRawPointer?, CUdeviceptr, Int, CUstream?) -> Status
    let cuMemcpyDtoDAsync: @convention(c) (CUdeviceptr, CUdeviceptr, Int, CUstream?) -> Status
    let cuMemsetD8Async: @convention(c) (CUdeviceptr, UInt8, Int, CUstream?) -> Status
    let cuStreamCreate: @convention(c) (UnsafeMutablePointer<CUstream?>?, UInt32) -> Status
    let cuStreamSynchronize: @convention(c) (CUstream?) -> Status
    let cuStreamDestroy: @convention(c) (CUstream?) -> Status
    let cuEventCreate: @convention(c) (UnsafeMutablePointer<CUevent?>?, UInt32) -> Status
    let cuEventRecord: @convention(c) (CUevent?, CUstream?) -> Status
    let cuEventQuery: @convention(c) (CUevent?) -> Status
    let cuEventSynchronize: @convention(c) (CUevent?) -> Status
    let cuEventElapsedTime: @convention(c) (UnsafeMutablePointer<Float>?, CUevent?, CUevent?) -> Status
    let cuEventDestroy: @convention(c) (CUevent?) -> Status
    let cuModuleLoadData: @convention(c) (UnsafeMutablePointer<CUmodule?>?, UnsafeRawPointer?) -> Status
    let cuModuleLoadDataEx: @convention(c) (UnsafeMutablePointer<CUmodule?>?, UnsafeRawPointer?, UInt32,
                                            UnsafeMutablePointer<Int32>?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Status
    let cuModuleUnload: @convention(c) (CUmodule?) -> Status
    let cuModuleGetFunction: @convention(c) (UnsafeMutablePointer<CUfunction?>?, CUmodule?, UnsafePointer<CChar>?) -> Status
    let cuLaunchKernel: @convention(c) (CUfunction?, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, CUstream?,
                                        UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                        UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Status
    /// `cuLaunchKernelEx(const CUlaunchConfig*, CUfunction, void**, void**)` (CUDA 12.0+;
    /// nil on older drivers): launches with attributes, here programmatic serialization.
    let cuLaunchKernelEx: (@convention(c) (UnsafeRawPointer?, CUfunction?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                           UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Status)?
    let cuFuncSetAttribute: @convention(c) (CUfunction?, Int32, Int32) -> Status
    let cuFuncGetAttribute: @convention(c) (UnsafeMutablePointer<Int32>?, Int32, CUfunction?) -> Status
    let cuGetErrorString: @convention(c) (Status, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Status
    /// Stream capture into CUDA graphs (nil on drivers without them: work then runs eagerly).
    let graphs: GraphAPI?

    struct GraphAPI {
        let cuStreamBeginCapture: @convention(c) (CUstream?, Int32) -> Status
        let cuStreamEndCapture: @convention(c) (CUstream?, UnsafeMutablePointer<OpaquePointer?>?) -> Status
        let cuGraphInstantiateWithFlags: @convention(c) (UnsafeMutablePointer<OpaquePointer?>?, OpaquePointer?, UInt64) -> Status
        let cuGraphLaunch: @convention(c) (OpaquePointer?, CUstream?) -> Status
        let cuGraphExecDestroy: @convention(c) (OpaquePointer?) -> Status
        let cuGraphDestroy: @convention(c) (OpaquePointer?) -> Status
    }
    let cuGetErrorName: @convention(c) (Status, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Status

    /// Binds every function; a missing one is ``CUDAError/symbolNotFound(library:path:symbol:)``.
    public init(library: DynamicLibrary) throws {
        self.library = library
        cuInit = try library.symbol("cuInit")
        cuDriverGetVersion = try library.symbol("cuDriverGetVersion")
        cuDeviceGet = try library.symbol("cuDeviceGet")
        cuDeviceGetCount = try library.symbol("cuDeviceGetCount")
        cuDeviceGetAttribute = try library.symbol("cuDeviceGetAttribute")
        cuDeviceGetName = try library.symbol("cuDeviceGetName")
        cuDeviceTotalMem = try library.symbol("cuDeviceTotalMem_v2")
        cuDevicePrimaryCtxRetain = try library.symbol("cuDevicePrimaryCtxRetain")
        cuDevicePrimaryCtxRelease = try library.symbol("cuDevicePrimaryCtxRelease_v2")
        cuCtxSetCurrent = try library.symbol("cuCtxSetCurrent")
        cuMemGetInfo = try library.symbol("cuMemGetInfo_v2")
        cuMemAlloc = try library.symbol("cuMemAlloc_v2")
        cuMemFree = try library.symbol("cuMemFree_v2")
        cuMemAllocHost = try library.symbol("cuMemAllocHost_v2")
        cuMemFreeHost = try library.symbol("cuMemFreeHost")
        cuMemcpyHtoDAsync = try library.symbol("cuMemcpyHtoDAsync_v2")
        cuMemcpyDtoHAsync = try library.symbol("cuMemcpyDtoHAsync_v2")
        cuMemcpyDtoDAsync = try library.symbol("cuMemcpyDtoDAsync_v2")
        cuMemsetD8Async = try library.symbol("cuMemsetD8Async")
        cuStreamCreate = try library.symbol("cuStreamCreate")
        cuStreamSynchronize = try library.symbol("cuStreamSynchronize")
        cuStreamDestroy = try library.symbol("cuStreamDestroy_v2")
        cuEventCreate = try library.symbol("cuEventCreate")
        cuEventRecord = try library.symbol("cuEventRecord")
        cuEventQuery = try library.symbol("cuEventQuery")
        cuEventSynchronize = try library.symbol("cuEventSynchronize")
        // CUDA 12.8 added the _v2 name (same signature); older drivers only have the first.
        cuEventElapsedTime = try library.optionalSymbol("cuEventElapsedTime_v2") ?? library.symbol("cuEventElapsedTime")
        cuEventDestroy = try library.symbol("cuEventDestroy_v2")
        cuModuleLoadData = try library.symbol("cuModuleLoadData")
        cuModuleLoadDataEx = try library.symbol("cuModuleLoadDataEx")
        cuModuleUnload = try library.symbol("cuModuleUnload")
        cuModuleGetFunction = try library.symbol("cuModuleGetFunction")
        cuLaunchKernel = try library.symbol("cuLaunchKernel")
        cuLaunchKernelEx = library.optionalSymbol(
            "cuLaunchKernelEx",
            as: (@convention(c) (UnsafeRawPointer?, CUfunction?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                 UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Status).self)
        cuFuncSetAttribute = try library.symbol("cuFuncSetAttribute")
        cuFuncGetAttribute = try library.symbol("cuFuncGetAttribute")
        cuGetErrorString = try library.symbol("cuGetErrorString")
        cuGetErrorName = try library.symbol("cuGetErrorName")
        if let begin = library.optionalSymbol("cuStreamBeginCapture_v2", as: (@convention(c) (CUstream?, Int32) -> Status).self),
           let end = library.optionalSymbol("cuStreamEndCapture", as: (@convention(c) (CUstream?, UnsafeMutablePointer<OpaquePointer?>?) -> Status).self),
           let instantiate = library.optionalSymbol("cuGraphInstantiateWithFlags", as: (@convention(c) (UnsafeMutablePointer<OpaquePointer?>?, OpaquePointer?, UInt64) -> Status).self),
           let launch = library.optionalSymbol("cuGraphLaunch", as: (@convention(c) (OpaquePointer?, CUstream?) -> Status).self),
           let destroyExec = library.optionalSymbol("cuGraphExecDestroy", as: (@convention(c) (OpaquePointer?) -> Status).self),
           let destroy = library.optionalSymbol("cuGraphDestroy", as: (@convention(c) (OpaquePointer?) -> Status).self) {
            graphs = GraphAPI(cuStreamBeginCapture: begin, cuStreamEndCapture: end, cuGraphInstantiateWithFlags: instantiate,
                              cuGraphLaunch: launch, cuGraphExecDestroy: destroyExec, cuGraphDestroy: destroy)
        } else {
            graphs = nil
        }
    }

    /// Throws ``CUDAError/driver(call:code:name:message:)`` unless `result` is success.
    @inline(__always)
    public func check(_ result: CUresult, _ call: @autoclosure () -> String) throws {
        if result != CUDAConstant.success { throw error(result, call()) }
    }

    /// The typed error for a failed call, with the driver's name and text for the code.
    public func error(_ result: CUresult, _ call: String) -> CUDAError {
        .driver(call: call, code: result, name: text(cuGetErrorName, result) ?? "CUDA_ERROR_\(result)",
                message: text(cuGetErrorString, result) ?? "unknown error")
    }

    private func text(_ function: @convention(c) (Status, UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Status,
                      _ result: CUresult) -> String? {
        var pointer: UnsafePointer<CChar>?
        guard function(result, &pointer) == CUDAConstant.success, let pointer else { return nil }
        return String(cString: pointer)
    }

    /// The CUDA version the driver supports, e.g. 13000 for 13.0.
    public func driverVersion() throws -> Int {
        var version: Int32 = 0
        try check(cuDriverGetVersion(&version), "cuDriverGetVersion")
        return Int(version)
    }
}
