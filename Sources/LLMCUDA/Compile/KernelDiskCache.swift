import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Compiled kernels on disk, one CUBIN per (source, headers, arch, options, NVRTC
/// version), named by the SHA-256 of those: `$SWIFTLLM_KERNEL_CACHE` (`off` disables
/// it) or `~/.cache/swiftllm/kernels`. Reading and writing are best effort: a missing,
/// unreadable or unwritable cache only means compiling again.
public struct KernelDiskCache: Sendable {
    /// The folder, or nil when caching is off.
    public let directory: String?

    public init(directory: String?) {
        self.directory = directory
    }

    public init(environment: LibrarySearchEnvironment) {
        if let explicit = environment.value("SWIFTLLM_KERNEL_CACHE") {
            directory = explicit == "off" ? nil : explicit
        } else if let home = environment.homeDirectory {
            directory = LibrarySearch.join(home, ".cache/swiftllm/kernels")
        } else {
            directory = nil
        }
    }

    /// The cache key of one compilation.
    public static func key(source: String, headers: [String: String], arch: String, options: [String], compilerVersion: String) -> String {
        var hasher = SHA256()
        // Length-prefixed fields, so no two different inputs hash the same text.
        func field(_ text: String) {
            hasher.update("\(text.utf8.count):")
            hasher.update(text)
        }
        field("swiftllm-kernel-v1")
        field(source)
        for name in headers.keys.sorted() {
            field(name)
            field(headers[name]!)
        }
        field(arch)
        options.forEach(field)
        field(compilerVersion)
        return hasher.finalizeHex()
    }

    public func path(for key: String) -> String? {
        directory.map { LibrarySearch.join($0, "\(key).cubin") }
    }

    /// The cached CUBIN for `key`, if any.
    public func read(key: String) -> [UInt8]? {
        guard let path = path(for: key), let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return [UInt8](data)
    }

    /// Stores a CUBIN under `key` (written to a temporary name, then renamed, so a
    /// concurrent reader never sees half a file).
    public func write(key: String, cubin: [UInt8]) {
        guard let directory, let path = path(for: key) else { return }
        let manager = FileManager.default
        do {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let temporary = "\(path).\(ProcessInfo.processInfo.processIdentifier).tmp"
            guard manager.createFile(atPath: temporary, contents: Data(cubin)) else { return }
            if rename(temporary, path) != 0 { try? manager.removeItem(atPath: temporary) }
        } catch {
            return
        }
    }
}
