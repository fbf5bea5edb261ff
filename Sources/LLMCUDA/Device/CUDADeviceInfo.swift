/// A GPU's compute capability, and the NVRTC architecture SwiftLLM compiles for.
public struct ComputeCapability: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var major: Int
    public var minor: Int

    public init(major: Int, minor: Int) {
        self.major = major
        self.minor = minor
    }

    /// The exact architecture kernels are compiled for: the arch-specific "a" variant
    /// from Hopper on (sm_90a for 9.0, sm_100a for 10.0, sm_120a for 12.0), which
    /// unlocks wgmma/tcgen05; plain sm_80, sm_86, sm_89 before.
    public var arch: String { "sm_\(major)\(minor)\(major >= 9 ? "a" : "")" }

    /// The oldest GPUs the kernels support (bf16 tensor cores): Ampere, 8.0.
    public static let minimum = ComputeCapability(major: 8, minor: 0)

    public var description: String { "\(major).\(minor)" }

    public static func < (a: ComputeCapability, b: ComputeCapability) -> Bool {
        (a.major, a.minor) < (b.major, b.minor)
    }
}

/// Facts about one GPU, read from the driver without creating a context.
public struct CUDADeviceInfo: Sendable, Equatable, CustomStringConvertible {
    public var ordinal: Int
    public var name: String
    public var computeCapability: ComputeCapability
    public var multiprocessorCount: Int
    /// Largest shared memory one block may use after opting in (dynamic + static).
    public var sharedMemoryPerBlockOptin: Int
    public var sharedMemoryPerMultiprocessor: Int
    public var maxThreadsPerBlock: Int
    public var l2CacheBytes: Int
    public var totalMemory: Int
    /// GPUs the driver sees.
    public var deviceCount: Int
    /// CUDA version the driver supports, e.g. 13000.
    public var driverVersion: Int
    public var driverPath: String
    /// Where NVRTC and cuBLASLt were found, when looked for (``CUDAProbe``).
    public var nvrtcPath: String?
    public var nvrtcVersion: String?
    public var cublasLtPath: String?
    public var cublasLtVersion: Int?

    /// The architecture kernels are compiled for (``ComputeCapability/arch``).
    public var arch: String { computeCapability.arch }

    /// One line for logs: "NVIDIA H100 80GB HBM3 (sm_90a, 132 SMs, 79.2 GiB, driver CUDA 13.0)".
    public var description: String {
        let gib = Double(totalMemory) / Double(1 << 30)
        let memory = (gib * 10).rounded() / 10
        return "\(name) (\(arch), \(multiprocessorCount) SMs, \(memory) GiB, driver CUDA \(driverVersion / 1000).\(driverVersion % 1000 / 10))"
    }

    /// Reads the facts of device `ordinal` through an initialised driver.
    public static func query(driver: DriverAPI, ordinal: Int) throws -> CUDADeviceInfo {
        var count: Int32 = 0
        try driver.check(driver.cuDeviceGetCount(&count), "cuDeviceGetCount")
        guard count > 0 else { throw CUDAError.noDevices }
        guard ordinal >= 0, ordinal < Int(count) else { throw CUDAError.invalidOrdinal(ordinal: ordinal, count: Int(count)) }
        var device: CUdevice = 0
        try driver.check(driver.cuDeviceGet(&device, Int32(ordinal)), "cuDeviceGet(\(ordinal))")
        func attribute(_ id: Int32, _ what: String) throws -> Int {
            var value: Int32 = 0
            try driver.check(driver.cuDeviceGetAttribute(&value, id, device), "cuDeviceGetAttribute(\(what))")
            return Int(value)
        }
        var nameBytes = [CChar](repeating: 0, count: 256)
        try driver.check(driver.cuDeviceGetName(&nameBytes, Int32(nameBytes.count - 1), device), "cuDeviceGetName")
        var total = 0
        try driver.check(driver.cuDeviceTotalMem(&total, device), "cuDeviceTotalMem_v2")
        let name = String(decoding: nameBytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return CUDADeviceInfo(
            ordinal: ordinal, name: name,
            computeCapability: ComputeCapability(
                major: try attribute(CUDAConstant.attributeComputeCapabilityMajor, "COMPUTE_CAPABILITY_MAJOR"),
                minor: try attribute(CUDAConstant.attributeComputeCapabilityMinor, "COMPUTE_CAPABILITY_MINOR")),
            multiprocessorCount: try attribute(CUDAConstant.attributeMultiprocessorCount, "MULTIPROCESSOR_COUNT"),
            sharedMemoryPerBlockOptin: try attribute(CUDAConstant.attributeMaxSharedMemoryPerBlockOptin, "MAX_SHARED_MEMORY_PER_BLOCK_OPTIN"),
            sharedMemoryPerMultiprocessor: try attribute(CUDAConstant.attributeMaxSharedMemoryPerMultiprocessor, "MAX_SHARED_MEMORY_PER_MULTIPROCESSOR"),
            maxThreadsPerBlock: try attribute(CUDAConstant.attributeMaxThreadsPerBlock, "MAX_THREADS_PER_BLOCK"),
            l2CacheBytes: try attribute(CUDAConstant.attributeL2CacheSize, "L2_CACHE_SIZE"),
            totalMemory: total, deviceCount: Int(count), driverVersion: try driver.driverVersion(),
            driverPath: driver.library.path)
    }
}
