import Testing
@testable import LLMCUDA

@Suite("Library loading errors")
struct LibraryLoadingTests {
    static let missing = CUDALibraryKind(displayName: "Missing library", environmentVariable: "SWIFTLLM_TEST_MISSING",
                                         fileNames: ["libswiftllm-missing.so.7"], probeSymbol: "missing_probe")

    @Test("a missing library is a typed error listing every place tried, in order")
    func missingLibraryListsPaths() throws {
        var fs = FakeFileSystem()
        fs.addDirectory("/home/u/.local/lib/python3.11/site-packages/nvidia/cu13/lib")
        let env = fs.environment(["LD_LIBRARY_PATH": "/x"])
        #expect(throws: CUDAError.libraryNotFound(library: "Missing library", tried: [
            "/x/libswiftllm-missing.so.7 (no such file)",
            "/usr/local/cuda/lib64/libswiftllm-missing.so.7 (no such file)",
            "/usr/local/cuda/targets/\(LibrarySearch.targetTriple)/lib/libswiftllm-missing.so.7 (no such file)",
            "libswiftllm-missing.so.7 (system library path) (libswiftllm-missing.so.7: cannot open shared object file: No such file or directory)",
            "/home/u/.local/lib/python3.11/site-packages/nvidia/cu13/lib/libswiftllm-missing.so.7 (no such file)",
            "(set SWIFTLLM_TEST_MISSING to the library's full path to choose one)",
        ])) {
            try DynamicLibrary.load(Self.missing, environment: env)
        }
    }

    @Test("an explicit path that does not exist is reported as such")
    func explicitPathMissing() throws {
        let env = FakeFileSystem().environment(["SWIFTLLM_CUDA_DRIVER": "/nowhere/libcuda.so.1"])
        #expect(throws: CUDAError.libraryNotFound(library: CUDALibraryKind.driver.displayName, tried: ["/nowhere/libcuda.so.1 (no such file)"])) {
            try DynamicLibrary.load(.driver, environment: env)
        }
    }

    @Test("a library without the probe symbol is not mistaken for the one wanted")
    func wrongLibrary() throws {
        let impostor = CUDALibraryKind(displayName: "CUDA driver", environmentVariable: "SWIFTLLM_TEST_DRIVER",
                                       fileNames: ["libm.so.6"], probeSymbol: "cuInit")
        let env = LibrarySearchEnvironment.current
        var limited = env
        limited.variables = ["SWIFTLLM_TEST_DRIVER": "libm.so.6"]
        do {
            _ = try DynamicLibrary.load(impostor, environment: limited)
            Issue.record("libm was accepted as the CUDA driver")
        } catch let CUDAError.libraryNotFound(library, tried) {
            #expect(library == "CUDA driver")
            #expect(tried.count == 1 && tried[0].contains("has no cuInit"), "\(tried)")
        }
    }

    @Test("a missing symbol is a typed error naming library, path and symbol")
    func missingSymbol() throws {
        let libc = CUDALibraryKind(displayName: "C library", environmentVariable: "SWIFTLLM_TEST_LIBC",
                                   fileNames: ["libc.so.6"], probeSymbol: "malloc")
        var env = LibrarySearchEnvironment.current
        env.variables = ["SWIFTLLM_TEST_LIBC": "libc.so.6"]
        let library = try DynamicLibrary.load(libc, environment: env)
        #expect(library.path.hasPrefix("/"), "dladdr should resolve the soname to a file: \(library.path)")
        typealias Function = @convention(c) () -> Int32
        #expect(throws: CUDAError.symbolNotFound(library: "C library", path: library.path, symbol: "cuNoSuchFunction")) {
            _ = try library.symbol("cuNoSuchFunction", as: Function.self)
        }
        #expect(library.optionalSymbol("cuNoSuchFunction", as: Function.self) == nil)
        // Binding the driver API to libc fails on its first symbol, with a typed error.
        #expect(throws: CUDAError.symbolNotFound(library: "C library", path: library.path, symbol: "cuInit")) {
            _ = try DriverAPI(library: library)
        }
    }

    @Test("error messages name what to fix")
    func messages() {
        let error = CUDAError.libraryNotFound(library: "NVRTC", tried: ["/a/libnvrtc.so.13 (no such file)"])
        #expect(error.description.contains("NVRTC not found"))
        #expect(error.description.contains("/a/libnvrtc.so.13"))
        #expect(CUDAError.invalidOrdinal(ordinal: 3, count: 2).description.contains("GPU 3 does not exist"))
    }
}
