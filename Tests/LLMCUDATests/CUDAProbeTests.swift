import Testing
@testable import LLMCUDA

@Suite("Device probing")
struct CUDAProbeTests {
    @Test("probing this machine never crashes and explains a failure")
    func probeThisMachine() {
        switch CUDAProbe.detect(ordinal: 0) {
        case let .success(info):
            #expect(!info.name.isEmpty)
            #expect(info.computeCapability >= .minimum)
            #expect(info.nvrtcPath != nil && info.cublasLtPath != nil)
        case let .failure(error):
            if !GPU.available {
                // CI has no GPU: the driver is what is missing, with the places searched.
                guard case let .libraryNotFound(library, tried) = error else {
                    Issue.record("expected the driver to be missing, got \(error)")
                    return
                }
                #expect(library == CUDALibraryKind.driver.displayName)
                #expect(tried.contains { $0.hasPrefix("libcuda.so.1 (system library path)") }, "\(tried)")
            }
            #expect(!error.description.isEmpty)
        }
    }

    @Test("a driver path that does not exist is reported, not crashed on")
    func probeWithMissingDriver() {
        let env = FakeFileSystem().environment(["SWIFTLLM_CUDA_DRIVER": "/nowhere/libcuda.so.1"])
        let result = CUDAProbe.detect(ordinal: 0, environment: env)
        #expect(throws: CUDAError.libraryNotFound(library: CUDALibraryKind.driver.displayName, tried: ["/nowhere/libcuda.so.1 (no such file)"])) {
            try result.get()
        }
    }

    @Test("architectures: exact arch-specific variants from Hopper on")
    func architectures() {
        #expect(ComputeCapability(major: 8, minor: 0).arch == "sm_80")
        #expect(ComputeCapability(major: 8, minor: 6).arch == "sm_86")
        #expect(ComputeCapability(major: 8, minor: 9).arch == "sm_89")
        #expect(ComputeCapability(major: 9, minor: 0).arch == "sm_90a")
        #expect(ComputeCapability(major: 10, minor: 0).arch == "sm_100a")
        #expect(ComputeCapability(major: 12, minor: 0).arch == "sm_120a")
        #expect(ComputeCapability(major: 7, minor: 5) < .minimum)
        #expect(KernelCompiler.supportedArchitectures == ["sm_80", "sm_86", "sm_89", "sm_90a", "sm_100a"])
    }
}
