/// Finds out, without crashing and without creating a context, whether this machine can
/// run the CUDA backend on a given GPU: driver library, `cuInit`, device count and
/// ordinal, compute capability, NVRTC and cuBLASLt. The CLI uses it to pick the
/// backend and to explain why the GPU is not used.
public enum CUDAProbe {
    /// Probes GPU `ordinal` with the process's shared libraries (``CUDALibraries``).
    public static func detect(ordinal: Int = 0) -> Result<CUDADeviceInfo, CUDAError> {
        probe {
            let driver = try CUDALibraries.driver()
            var info = try deviceInfo(driver: driver, ordinal: ordinal)
            let nvrtc = try CUDALibraries.nvrtc()
            let cublasLt = try CUDALibraries.cublasLt()
            try describe(&info, nvrtc: nvrtc, cublasLt: cublasLt)
            return info
        }
    }

    /// Probes GPU `ordinal` with libraries searched for in `environment`, bypassing the
    /// process-wide cache (for tests and diagnostics).
    public static func detect(ordinal: Int, environment: LibrarySearchEnvironment) -> Result<CUDADeviceInfo, CUDAError> {
        probe {
            let driver = try CUDALibraries.loadDriver(environment: environment)
            var info = try deviceInfo(driver: driver, ordinal: ordinal)
            let major = info.driverVersion / 1000
            let nvrtc = try NVRTCAPI(library: DynamicLibrary.load(.nvrtc(preferringMajor: major), environment: environment))
            let cublasLt = try CublasLtAPI(library: DynamicLibrary.load(.cublasLt(preferringMajor: major), environment: environment))
            try describe(&info, nvrtc: nvrtc, cublasLt: cublasLt)
            return info
        }
    }

    private static func deviceInfo(driver: DriverAPI, ordinal: Int) throws -> CUDADeviceInfo {
        let info = try CUDADeviceInfo.query(driver: driver, ordinal: ordinal)
        guard info.computeCapability >= .minimum else {
            throw CUDAError.unsupportedDevice(name: info.name, computeCapability: info.computeCapability.description)
        }
        return info
    }

    private static func describe(_ info: inout CUDADeviceInfo, nvrtc: NVRTCAPI, cublasLt: CublasLtAPI) throws {
        let (major, minor) = try nvrtc.version()
        info.nvrtcPath = nvrtc.library.path
        info.nvrtcVersion = "\(major).\(minor)"
        info.cublasLtPath = cublasLt.library.path
        info.cublasLtVersion = cublasLt.version
    }

    private static func probe(_ body: () throws -> CUDADeviceInfo) -> Result<CUDADeviceInfo, CUDAError> {
        do {
            return .success(try body())
        } catch let error as CUDAError {
            return .failure(error)
        } catch {
            return .failure(.invalidLaunch(function: "CUDA probe", reason: "\(error)"))
        }
    }
}
