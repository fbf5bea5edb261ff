import Foundation

/// One GPU as SwiftLLM uses it: the device's primary context (shared with cuBLASLt and
/// any runtime-API library in the process) and one compute stream on which all of this
/// device's copies, kernels and GEMMs run in order.
public final class CUDADevice: @unchecked Sendable {
    public let driver: DriverAPI
    public let info: CUDADeviceInfo
    public let handle: CUdevice
    public let context: CUcontext
    /// The compute stream (non-blocking with respect to the legacy default stream).
    public let stream: CUstream

    /// Whether kernels are launched with programmatic stream serialization (compute
    /// capability 9.0 and later, a driver with `cuLaunchKernelEx`, and `SWIFTLLM_PDL` not
    /// set to 0, which exists to measure the difference).
    public let overlapsKernelLaunches: Bool

    private let lock = NSLock()
    /// Dynamic shared memory each function has been allowed (only above 48 KiB).
    private var sharedMemoryLimits: [CUfunction: Int] = [:]
    /// Kernel names for messages, registered by ``KernelLibrary``.
    private var functionNames: [CUfunction: String] = [:]

    /// Opens GPU `ordinal` with the process's driver (``CUDALibraries/driver()``).
    public convenience init(ordinal: Int = 0) throws {
        try self.init(ordinal: ordinal, driver: CUDALibraries.driver())
    }

    /// Opens GPU `ordinal`: retains its primary context, makes it current on this thread
    /// and creates the compute stream. Devices older than 8.0 are refused.
    public init(ordinal: Int, driver: DriverAPI) throws {
        let info = try CUDADeviceInfo.query(driver: driver, ordinal: ordinal)
        guard info.computeCapability >= .minimum else {
            throw CUDAError.unsupportedDevice(name: info.name, computeCapability: info.computeCapability.description)
        }
        var device: CUdevice = 0
        try driver.check(driver.cuDeviceGet(&device, Int32(ordinal)), "cuDeviceGet(\(ordinal))")
        var context: CUcontext?
        try driver.check(driver.cuDevicePrimaryCtxRetain(&context, device), "cuDevicePrimaryCtxRetain")
        guard let context else { throw driver.error(201, "cuDevicePrimaryCtxRetain returned no context") }
        var stream: CUstream?
        do {
            try CurrentContext.ensure(context, driver: driver)
            try driver.check(driver.cuStreamCreate(&stream, CUDAConstant.streamNonBlocking), "cuStreamCreate")
        } catch {
            _ = driver.cuDevicePrimaryCtxRelease(device)
            throw error
        }
        self.driver = driver
        self.info = info
        self.handle = device
        self.context = context
        self.stream = stream!
        self.overlapsKernelLaunches = info.computeCapability.major >= 9 && driver.cuLaunchKernelEx != nil
            && ProcessInfo.processInfo.environment["SWIFTLLM_PDL"] != "0"
    }

    deinit {
        if (try? makeCurrent()) != nil {
            _ = driver.cuStreamSynchronize(stream)
            _ = driver.cuStreamDestroy(stream)
        }
        _ = driver.cuDevicePrimaryCtxRelease(handle)
        CurrentContext.forget()
    }

    /// The architecture kernels are compiled for, e.g. "sm_90a".
    public var arch: String { info.arch }

    /// Makes this device's context current on the calling thread (cheap when it is).
    @inline(__always)
    public func makeCurrent() throws {
        try CurrentContext.ensure(context, driver: driver)
    }

    /// Waits for all work queued on the compute stream.
    public func synchronize() throws {
        try makeCurrent()
        try driver.check(driver.cuStreamSynchronize(stream), "cuStreamSynchronize")
    }

    /// Free and total device memory now, in bytes.
    public func memoryInfo() throws -> (free: Int, total: Int) {
        try makeCurrent()
        var free = 0, total = 0
        try driver.check(driver.cuMemGetInfo(&free, &total), "cuMemGetInfo_v2")
        return (free, total)
    }

    /// Queues `bytes` bytes of value `value` at `address` on the compute stream.
    public func memset(_ address: CUdeviceptr, value: UInt8 = 0, bytes: Int) throws {
        guard bytes > 0 else { return }
        try makeCurrent()
        try driver.check(driver.cuMemsetD8Async(address, value, bytes, stream), "cuMemsetD8Async(\(bytes) bytes)")
    }

    /// Queues a device-to-device copy on the compute stream.
    public func copy(from source: CUdeviceptr, to destination: CUdeviceptr, bytes: Int) throws {
        guard bytes > 0 else { return }
        try makeCurrent()
        try driver.check(driver.cuMemcpyDtoDAsync(destination, source, bytes, stream), "cuMemcpyDtoDAsync(\(bytes) bytes)")
    }

    // MARK: per-function bookkeeping used by launches

    /// Records a kernel's name for launch error messages.
    func register(function: CUfunction, name: String) {
        lock.withLock { functionNames[function] = name }
    }

    func name(of function: CUfunction) -> String {
        lock.withLock { functionNames[function] } ?? "kernel \(function)"
    }

    /// Lets `function` use `bytes` of dynamic shared memory, raising its attribute the
    /// first time a launch needs more than the 48 KiB default.
    func allowSharedMemory(_ bytes: Int, for function: CUfunction) throws {
        guard bytes > CUDAConstant.defaultDynamicSharedMemoryLimit else { return }
        guard bytes <= info.sharedMemoryPerBlockOptin else {
            throw CUDAError.invalidLaunch(function: name(of: function),
                                          reason: "\(bytes) bytes of shared memory exceed the device's \(info.sharedMemoryPerBlockOptin) per block")
        }
        try lock.withLock {
            if let allowed = sharedMemoryLimits[function], allowed >= bytes { return }
            try driver.check(driver.cuFuncSetAttribute(function, CUDAConstant.functionAttributeMaxDynamicSharedSizeBytes, Int32(bytes)),
                             "cuFuncSetAttribute(MAX_DYNAMIC_SHARED_SIZE_BYTES = \(bytes))")
            sharedMemoryLimits[function] = bytes
        }
    }
}
