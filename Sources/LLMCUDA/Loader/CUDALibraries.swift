import Foundation

/// The CUDA libraries of this process, each loaded once on first use from the real
/// environment and shared by every device. Failures are remembered too, so asking
/// again is cheap and gives the same error.
public enum CUDALibraries {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var driverResult: Result<DriverAPI, any Error>?
    nonisolated(unsafe) private static var nvrtcResult: Result<NVRTCAPI, any Error>?
    nonisolated(unsafe) private static var cublasLtResult: Result<CublasLtAPI, any Error>?

    /// The driver, bound and initialised (`cuInit(0)` has succeeded).
    public static func driver() throws -> DriverAPI {
        try lock.withLock {
            if driverResult == nil { driverResult = Result { try loadDriver(environment: .current) } }
            return try driverResult!.get()
        }
    }

    /// NVRTC, preferring the driver's CUDA major version when the driver is loaded.
    public static func nvrtc() throws -> NVRTCAPI {
        try lock.withLock {
            if nvrtcResult == nil {
                let kind = CUDALibraryKind.nvrtc(preferringMajor: loadedDriverMajor())
                nvrtcResult = Result { try NVRTCAPI(library: DynamicLibrary.load(kind, environment: .current)) }
            }
            return try nvrtcResult!.get()
        }
    }

    /// cuBLASLt, preferring the driver's CUDA major version when the driver is loaded.
    public static func cublasLt() throws -> CublasLtAPI {
        try lock.withLock {
            if cublasLtResult == nil {
                let kind = CUDALibraryKind.cublasLt(preferringMajor: loadedDriverMajor())
                cublasLtResult = Result { try CublasLtAPI(library: DynamicLibrary.load(kind, environment: .current)) }
            }
            return try cublasLtResult!.get()
        }
    }

    /// Loads, binds and initialises the driver from `environment` (not cached).
    static func loadDriver(environment: LibrarySearchEnvironment) throws -> DriverAPI {
        let api = try DriverAPI(library: DynamicLibrary.load(.driver, environment: environment))
        try api.check(api.cuInit(0), "cuInit")
        return api
    }

    /// The CUDA major version of the driver when it is already loaded (13 for 13000).
    private static func loadedDriverMajor() -> Int? {
        guard case let .success(api)? = driverResult, let version = try? api.driverVersion() else { return nil }
        return version / 1000
    }
}
