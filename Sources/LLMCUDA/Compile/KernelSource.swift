import Foundation

/// The CUDA C++ source of one kernel family plus the shared headers (`*.cuh`) it may
/// include, from the copy embedded in the binary or, when `SWIFTLLM_KERNEL_DIR` is set,
/// from that folder (edit a kernel and rerun on a GPU without rebuilding Swift).
public struct KernelSource: Sendable, Equatable {
    public var family: String
    public var source: String
    /// Header file name → contents, handed to NVRTC as in-memory headers.
    public var headers: [String: String]
    /// The name NVRTC reports in its log ("attention.cu", or the full path on disk).
    public var programName: String

    public init(family: String, source: String, headers: [String: String], programName: String) {
        self.family = family
        self.source = source
        self.headers = headers
        self.programName = programName
    }

    /// Family `family` from `SWIFTLLM_KERNEL_DIR` when set, else the embedded copy.
    public static func load(family: String, environment: LibrarySearchEnvironment) throws -> KernelSource {
        if let directory = environment.value("SWIFTLLM_KERNEL_DIR") {
            return try load(family: family, directory: directory)
        }
        guard let source = EmbeddedKernels.sources[family] else {
            throw CUDAError.kernelSourceNotFound(family: family, searched: "the embedded kernels (\(EmbeddedKernels.sources.keys.sorted().joined(separator: ", ")))")
        }
        return KernelSource(family: family, source: source, headers: EmbeddedKernels.headers, programName: "\(family).cu")
    }

    /// Family `family` read from `<directory>/<family>.cu`, with every `*.cuh` there.
    public static func load(family: String, directory: String) throws -> KernelSource {
        let path = LibrarySearch.join(directory, "\(family).cu")
        guard let data = FileManager.default.contents(atPath: path), let source = String(data: data, encoding: .utf8) else {
            throw CUDAError.kernelSourceNotFound(family: family, searched: "\(path) (SWIFTLLM_KERNEL_DIR)")
        }
        return KernelSource(family: family, source: source, headers: headers(in: directory), programName: path)
    }

    /// `*.cuh` files of a folder, by file name.
    public static func headers(in directory: String) -> [String: String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        var result: [String: String] = [:]
        for name in names where name.hasSuffix(".cuh") {
            if let data = FileManager.default.contents(atPath: LibrarySearch.join(directory, name)),
               let text = String(data: data, encoding: .utf8) {
                result[name] = text
            }
        }
        return result
    }

    /// Family names (`*.cu` without the extension) of a folder, sorted.
    public static func families(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.filter { $0.hasSuffix(".cu") }.map { String($0.dropLast(3)) }.sorted()
    }
}
