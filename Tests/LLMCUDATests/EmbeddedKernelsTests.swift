import Foundation
import Testing
@testable import LLMCUDA

@Suite("Embedded kernel sources")
struct EmbeddedKernelsTests {
    static let stale = "the EmbedKernels build plugin did not embed the kernel folder as it is"

    @Test("The embedded kernels (EmbedKernels plugin) match Sources/LLMCUDA/Kernels exactly")
    func upToDate() throws {
        let directory = Repository.kernelDirectory
        let families = KernelSource.families(in: directory)
        #expect(!families.isEmpty, "no kernel families found in \(directory)")
        #expect(families == EmbeddedKernels.sources.keys.sorted(), "\(Self.stale)")
        for family in families {
            let onDisk = try KernelSource.load(family: family, directory: directory)
            #expect(EmbeddedKernels.sources[family] == onDisk.source, "\(family).cu differs. \(Self.stale)")
        }
        #expect(KernelSource.headers(in: directory) == EmbeddedKernels.headers, "headers (*.cuh) differ. \(Self.stale)")
    }

    @Test("SWIFTLLM_KERNEL_DIR replaces the embedded copy")
    func kernelDirectoryOverride() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftllm-kernels-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "extern \"C\" __global__ void k() {}\n".write(toFile: directory + "/smoke.cu", atomically: true, encoding: .utf8)
        try "#define SHARED 1\n".write(toFile: directory + "/common.cuh", atomically: true, encoding: .utf8)
        let env = FakeFileSystem().environment(["SWIFTLLM_KERNEL_DIR": directory])
        let source = try KernelSource.load(family: "smoke", environment: env)
        #expect(source.source == "extern \"C\" __global__ void k() {}\n")
        #expect(source.headers == ["common.cuh": "#define SHARED 1\n"])
        #expect(source.programName == directory + "/smoke.cu")
        #expect(throws: CUDAError.self) { try KernelSource.load(family: "absent", environment: env) }

        let embedded = try KernelSource.load(family: "smoke", environment: FakeFileSystem().environment())
        #expect(embedded.programName == "smoke.cu")
        #expect(embedded.source == EmbeddedKernels.sources["smoke"])
    }
}
