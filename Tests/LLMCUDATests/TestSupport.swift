import Foundation
@testable import LLMCUDA

/// Paths of the repository, found from this file.
enum Repository {
    static let root: String = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let kernelDirectory = root + "/Sources/LLMCUDA/Kernels"
}

/// A file system made of a set of directories (with their entries) and files, for
/// testing the library search without touching the machine.
struct FakeFileSystem {
    var directories: [String: [String]] = [:]
    var files: Set<String> = []

    /// Adds a file and every directory above it.
    mutating func addFile(_ path: String) {
        files.insert(path)
        addEntry(path)
    }

    mutating func addDirectory(_ path: String) {
        if directories[path] == nil { directories[path] = [] }
        addEntry(path)
    }

    private mutating func addEntry(_ path: String) {
        let url = URL(fileURLWithPath: path)
        let parent = url.deletingLastPathComponent().path
        guard parent != path else { return }
        if directories[parent] == nil { addDirectory(parent) }
        if !directories[parent]!.contains(url.lastPathComponent) { directories[parent]!.append(url.lastPathComponent) }
    }

    func environment(_ variables: [String: String] = [:], home: String? = "/home/u") -> LibrarySearchEnvironment {
        let directories = self.directories, files = self.files
        return LibrarySearchEnvironment(
            variables: variables, homeDirectory: home,
            listDirectory: { directories[$0] },
            fileExists: { files.contains($0) })
    }
}

/// Whether this machine has a usable GPU for the device tests: the driver loads and
/// sees a device. `SWIFTLLM_REQUIRE_GPU=1` turns "no GPU" into a failure instead of a
/// skip, for runs on the GPU machine.
enum GPU {
    static let available: Bool = {
        guard let driver = try? CUDALibraries.driver() else { return false }
        var count: Int32 = 0
        return driver.cuDeviceGetCount(&count) == 0 && count > 0
    }()

    static let required = ProcessInfo.processInfo.environment["SWIFTLLM_REQUIRE_GPU"] == "1"

    /// Tests that need a GPU run when there is one, or when one is required.
    static let shouldRun = available || required
}
