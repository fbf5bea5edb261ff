import Testing
@testable import LLMCUDA

@Suite("Library search order")
struct LibrarySearchTests {
    static let site = "/home/u/.pyenv/versions/3.11.7/lib/python3.11/site-packages"

    static func machine() -> FakeFileSystem {
        var fs = FakeFileSystem()
        fs.addFile("/usr/local/cuda/lib64/libnvrtc.so.12")
        fs.addFile("/usr/local/cuda/include/cuda_bf16.h")
        fs.addFile("\(site)/nvidia/cu13/lib/libnvrtc.so.13")
        fs.addFile("\(site)/nvidia/cu13/lib/libnvrtc-builtins.so.13.0")
        fs.addFile("\(site)/nvidia/cu13/include/cuda_bf16.h")
        fs.addFile("\(site)/nvidia/cublas/lib/libcublasLt.so.12")
        fs.addFile("\(site)/nvidia/cu12/lib/libnvrtc.so.12")
        fs.addDirectory("\(site)/nvidia/nccl/include")             // no lib folder: skipped
        fs.addDirectory("/home/u/.pyenv/versions/3.9.18/lib/python3.9/site-packages/nvidia/cuda_nvrtc/lib")
        fs.addDirectory("/home/u/.local/lib/python3.12/site-packages")
        fs.addDirectory("/usr/lib/python3/dist-packages/nvidia/cuda_runtime/lib")
        fs.addDirectory("/venv/lib/python3.10/site-packages/nvidia/cu13/lib")
        return fs
    }

    @Test("an explicit environment variable is the only candidate")
    func explicitVariable() {
        let env = Self.machine().environment(["SWIFTLLM_NVRTC": "/opt/nvrtc/libnvrtc.so.13", "LD_LIBRARY_PATH": "/a"])
        #expect(LibrarySearch.candidates(for: .nvrtc(), in: env) == [.path("/opt/nvrtc/libnvrtc.so.13")])
        let bare = Self.machine().environment(["SWIFTLLM_CUDA_DRIVER": "libcuda.so.1"])
        #expect(LibrarySearch.candidates(for: .driver, in: bare) == [.systemName("libcuda.so.1")])
    }

    @Test("LD_LIBRARY_PATH, toolkit, system, then wheels; file names by preference in each place")
    func fullOrder() {
        let env = Self.machine().environment(["LD_LIBRARY_PATH": "/a::/b/", "CUDA_HOME": "/opt/cuda"])
        let expected: [LibraryCandidate] = [
            .path("/a/libnvrtc.so.13"), .path("/a/libnvrtc.so.12"),
            .path("/b/libnvrtc.so.13"), .path("/b/libnvrtc.so.12"),
            .path("/opt/cuda/lib64/libnvrtc.so.13"), .path("/opt/cuda/lib64/libnvrtc.so.12"),
            .path("/opt/cuda/targets/\(LibrarySearch.targetTriple)/lib/libnvrtc.so.13"),
            .path("/opt/cuda/targets/\(LibrarySearch.targetTriple)/lib/libnvrtc.so.12"),
            .path("/usr/local/cuda/lib64/libnvrtc.so.13"), .path("/usr/local/cuda/lib64/libnvrtc.so.12"),
            .path("/usr/local/cuda/targets/\(LibrarySearch.targetTriple)/lib/libnvrtc.so.13"),
            .path("/usr/local/cuda/targets/\(LibrarySearch.targetTriple)/lib/libnvrtc.so.12"),
            .systemName("libnvrtc.so.13"), .systemName("libnvrtc.so.12"),
            .path("\(Self.site)/nvidia/cu13/lib/libnvrtc.so.13"), .path("\(Self.site)/nvidia/cu13/lib/libnvrtc.so.12"),
            .path("\(Self.site)/nvidia/cu12/lib/libnvrtc.so.13"), .path("\(Self.site)/nvidia/cu12/lib/libnvrtc.so.12"),
            .path("\(Self.site)/nvidia/cublas/lib/libnvrtc.so.13"), .path("\(Self.site)/nvidia/cublas/lib/libnvrtc.so.12"),
            .path("/home/u/.pyenv/versions/3.9.18/lib/python3.9/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.13"),
            .path("/home/u/.pyenv/versions/3.9.18/lib/python3.9/site-packages/nvidia/cuda_nvrtc/lib/libnvrtc.so.12"),
            .path("/usr/lib/python3/dist-packages/nvidia/cuda_runtime/lib/libnvrtc.so.13"),
            .path("/usr/lib/python3/dist-packages/nvidia/cuda_runtime/lib/libnvrtc.so.12"),
        ]
        #expect(LibrarySearch.candidates(for: .nvrtc(), in: env) == expected)
    }

    @Test("site-packages: virtualenv, user site, pyenv newest first, then system")
    func sitePackagesOrder() {
        let env = Self.machine().environment(["VIRTUAL_ENV": "/venv"])
        #expect(LibrarySearch.pythonSitePackages(env) == [
            "/venv/lib/python3.10/site-packages",
            "/home/u/.local/lib/python3.12/site-packages",
            Self.site,
            "/home/u/.pyenv/versions/3.9.18/lib/python3.9/site-packages",
            "/usr/lib/python3/dist-packages",
        ])
        #expect(LibrarySearch.wheelLibraryDirectories(env).first == "/venv/lib/python3.10/site-packages/nvidia/cu13/lib")
    }

    @Test("preferring the driver's major version moves those names first")
    func preferredMajor() {
        #expect(CUDALibraryKind.nvrtc(preferringMajor: 12).fileNames == ["libnvrtc.so.12", "libnvrtc.so.13"])
        #expect(CUDALibraryKind.nvrtc(preferringMajor: 13).fileNames == ["libnvrtc.so.13", "libnvrtc.so.12"])
        #expect(CUDALibraryKind.cublasLt(preferringMajor: 11).fileNames == ["libcublasLt.so.13", "libcublasLt.so.12"])
        #expect(CUDALibraryKind.nvrtc().companionPrefix(for: "libnvrtc.so.13") == "libnvrtc-builtins.so.13.")
        #expect(CUDALibraryKind.driver.companionPrefix(for: "libcuda.so.1") == nil)
    }

    @Test("CUDA headers: beside the NVRTC in use, then the toolkit, then wheels")
    func includeDirectory() {
        let env = Self.machine().environment()
        let wheelNVRTC = "\(Self.site)/nvidia/cu13/lib/libnvrtc.so.13"
        #expect(LibrarySearch.includeDirectory(nvrtcPath: wheelNVRTC, in: env) == "\(Self.site)/nvidia/cu13/include")
        #expect(LibrarySearch.includeDirectory(nvrtcPath: "/usr/local/cuda/lib64/libnvrtc.so.12", in: env) == "/usr/local/cuda/include")
        #expect(LibrarySearch.includeDirectory(nvrtcPath: "/elsewhere/lib/libnvrtc.so.12", in: env) == "/usr/local/cuda/include")
        let explicit = Self.machine().environment(["SWIFTLLM_CUDA_INCLUDE": "\(Self.site)/nvidia/cu13/include"])
        #expect(LibrarySearch.includeDirectory(nvrtcPath: "/usr/local/cuda/lib64/libnvrtc.so.12", in: explicit) == "\(Self.site)/nvidia/cu13/include")
    }

    @Test("version-aware ordering of folder names")
    func newestFirst() {
        #expect(LibrarySearch.sortedNewestFirst(["python3.9", "python3.12", "python3", "python3.10"]) == ["python3.12", "python3.10", "python3.9", "python3"])
        #expect(LibrarySearch.sortedNewestFirst(["cu12", "cu13"]) == ["cu13", "cu12"])
    }
}
