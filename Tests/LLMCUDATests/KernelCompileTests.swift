import Foundation
import Testing
@testable import LLMCUDA

/// Every kernel family must compile for every supported GPU architecture. Runs without a
/// GPU: NVRTC comes from NVIDIA's pip wheels (Scripts/install_nvrtc.sh) or a toolkit.
@Suite("Kernel compilation with NVRTC", .serialized)
struct KernelCompileTests {
    static func compiler() throws -> KernelCompiler {
        do {
            return try KernelCompiler()
        } catch {
            Issue.record("""
                NVRTC is needed to check the CUDA kernels and was not found. Run Scripts/install_nvrtc.sh \
                (pip wheels nvidia-cuda-nvrtc and nvidia-cuda-runtime 13.0), or set SWIFTLLM_NVRTC to libnvrtc.so.
                \(error)
                """)
            throw error
        }
    }

    @Test("every family in Kernels/ compiles for sm_80, sm_86, sm_89, sm_90a and sm_100a")
    func allFamiliesAllArchitectures() throws {
        let compiler = try Self.compiler()
        #expect(compiler.includeDirectory != nil, "cuda_bf16.h not found next to \(compiler.nvrtc.library.path), in a toolkit or in the wheels")
        let families = KernelSource.families(in: Repository.kernelDirectory)
        #expect(!families.isEmpty)
        let sources = try families.map { try KernelSource.load(family: $0, directory: Repository.kernelDirectory) }
        let jobs = sources.flatMap { source in KernelCompiler.supportedArchitectures.map { (source, $0) } }
        // A CUBIN in the kernel cache under the same key (source, headers, arch, options,
        // NVRTC version) was compiled from exactly this input: only changed families are
        // compiled again (SWIFTLLM_KERNEL_CACHE=off compiles everything).
        let cache = KernelDiskCache(environment: .current)
        // NVRTC programs are independent: compile on every core.
        let lock = NSLock()
        var failures: [String] = []
        DispatchQueue.concurrentPerform(iterations: jobs.count) { index in
            let (source, arch) = jobs[index]
            let key = KernelDiskCache.key(source: source.source, headers: source.headers, arch: arch,
                                          options: compiler.options(arch: arch), compilerVersion: compiler.version)
            if cache.read(key: key) != nil { return }
            do {
                let cubin = try compiler.compile(source, arch: arch)
                cache.write(key: key, cubin: cubin)
                // A CUBIN is an ELF file.
                if cubin.count <= 64 || Array(cubin.prefix(4)) != [0x7F, 0x45, 0x4C, 0x46] {
                    lock.withLock { failures.append("\(source.family) for \(arch): not an ELF CUBIN (\(cubin.count) bytes)") }
                }
            } catch {
                lock.withLock { failures.append("\(error)") }
            }
        }
        for failure in failures.sorted() { Issue.record("\(failure)") }
    }

    @Test("a compile error names the family, the arch, the file and the line")
    func compileErrorLog() throws {
        let compiler = try Self.compiler()
        let broken = KernelSource(family: "broken", source: "extern \"C\" __global__ void k(float* p) {\n  p[0] = undefined_name;\n}\n",
                                  headers: [:], programName: "broken.cu")
        do {
            _ = try compiler.compile(broken, arch: "sm_90a")
            Issue.record("the broken kernel compiled")
        } catch let CUDAError.kernelCompile(family, arch, log) {
            #expect(family == "broken" && arch == "sm_90a")
            #expect(log.contains("broken.cu(2)"), "\(log)")
            #expect(log.contains("undefined_name"), "\(log)")
        }
    }

    @Test("shared headers are available to #include")
    func inMemoryHeaders() throws {
        let compiler = try Self.compiler()
        let source = KernelSource(family: "uses_header", source: "#include \"common.cuh\"\nextern \"C\" __global__ void k(float* p) { p[0] = SCALE; }\n",
                                  headers: ["common.cuh": "#define SCALE 2.0f\n"], programName: "uses_header.cu")
        let cubin = try compiler.compile(source, arch: "sm_80")
        #expect(!cubin.isEmpty)
    }

    @Test("options are fixed: C++17, device by default, exact arch, no fast math")
    func options() throws {
        let compiler = try Self.compiler()
        let options = compiler.options(arch: "sm_90a")
        #expect(Array(options.prefix(3)) == ["--std=c++17", "-default-device", "--gpu-architecture=sm_90a"])
        #expect(!options.contains { $0.contains("fast") })
        #expect(compiler.version.hasPrefix("1"))
    }
}
