/// Everything that can go wrong reaching CUDA at run time. Each case names what was
/// looked for or called, so a message alone tells the user what to fix.
public enum CUDAError: Error, CustomStringConvertible, Equatable, Sendable {
    /// No candidate of `library` could be loaded; `tried` lists every candidate with
    /// the reason it failed, in search order.
    case libraryNotFound(library: String, tried: [String])
    /// The library loaded but lacks `symbol` (usually a version too old).
    case symbolNotFound(library: String, path: String, symbol: String)
    /// A driver API call returned an error.
    case driver(call: String, code: Int32, name: String, message: String)
    /// An NVRTC call returned an error (other than a compile error).
    case nvrtc(call: String, code: Int32, message: String)
    /// A cuBLASLt call returned an error.
    case cublas(call: String, status: Int32, message: String)
    /// NVRTC rejected a kernel family; `log` is the compiler's log (file and line).
    case kernelCompile(family: String, arch: String, log: String)
    /// No kernel family of that name is embedded (or present in SWIFTLLM_KERNEL_DIR).
    case kernelSourceNotFound(family: String, searched: String)
    /// The family's module has no kernel of that name (missing `extern "C"`?).
    case kernelNotFound(family: String, name: String)
    /// The driver sees no CUDA device.
    case noDevices
    /// The requested device ordinal does not exist.
    case invalidOrdinal(ordinal: Int, count: Int)
    /// The device is older than the oldest architecture the kernels target (sm_80).
    case unsupportedDevice(name: String, computeCapability: String)
    /// A launch configuration or argument the device cannot take.
    case invalidLaunch(function: String, reason: String)

    /// One line saying what went wrong, without the list of paths tried (for notes such
    /// as "no usable GPU: ..."); `description` has the whole story.
    public var summary: String {
        if case let .libraryNotFound(library, _) = self { return "\(library) not found" }
        return description.split(separator: "\n").first.map(String.init) ?? description
    }

    public var description: String {
        switch self {
        case let .libraryNotFound(library, tried):
            let list = tried.map { "  - \($0)" }.joined(separator: "\n")
            return "\(library) not found; tried, in order:\n\(list)"
        case let .symbolNotFound(library, path, symbol):
            return "\(library) at \(path) has no symbol \(symbol) (library too old?)"
        case let .driver(call, code, name, message):
            return "\(call) failed: \(name) (\(code)): \(message)"
        case let .nvrtc(call, code, message):
            return "\(call) failed: \(message) (\(code))"
        case let .cublas(call, status, message):
            return "\(call) failed: \(message) (\(status))"
        case let .kernelCompile(family, arch, log):
            return "kernel family '\(family)' does not compile for \(arch):\n\(log)"
        case let .kernelSourceNotFound(family, searched):
            return "no kernel family '\(family)' in \(searched)"
        case let .kernelNotFound(family, name):
            return "kernel family '\(family)' has no kernel '\(name)' (is it declared extern \"C\" __global__?)"
        case .noDevices:
            return "the CUDA driver reports no GPU"
        case let .invalidOrdinal(ordinal, count):
            return "GPU \(ordinal) does not exist (\(count) GPU\(count == 1 ? "" : "s") found, ordinals 0..<\(count))"
        case let .unsupportedDevice(name, capability):
            return "\(name) has compute capability \(capability); SwiftLLM's kernels need 8.0 (Ampere) or newer"
        case let .invalidLaunch(function, reason):
            return "launch of \(function): \(reason)"
        }
    }
}
