/// One of the CUDA libraries SwiftLLM opens at run time, and how to recognise it.
public struct CUDALibraryKind: Sendable, Hashable {
    /// Name in messages: "CUDA driver", "NVRTC", "cuBLASLt".
    public let displayName: String
    /// Environment variable that names the library's full path; when set, it is the only
    /// candidate (an explicit choice that silently fell back would hide a mistake).
    public let environmentVariable: String
    /// File names (sonames), most preferred first.
    public let fileNames: [String]
    /// A symbol every usable version exports; used to confirm the library and find its path.
    public let probeSymbol: String
    /// Stem of a library that must be loaded from the same folder first, matched by the
    /// major version of the file found: NVRTC opens `libnvrtc-builtins.so.<major>.*` by
    /// name, which only the dynamic loader's own search would otherwise find.
    public let companionStem: String?

    public init(displayName: String, environmentVariable: String, fileNames: [String], probeSymbol: String, companionStem: String? = nil) {
        self.displayName = displayName
        self.environmentVariable = environmentVariable
        self.fileNames = fileNames
        self.probeSymbol = probeSymbol
        self.companionStem = companionStem
    }

    /// The driver, installed with the NVIDIA kernel module.
    public static let driver = CUDALibraryKind(
        displayName: "CUDA driver (libcuda.so.1)", environmentVariable: "SWIFTLLM_CUDA_DRIVER",
        fileNames: ["libcuda.so.1"], probeSymbol: "cuInit")

    /// NVRTC, preferring the newest major version. A driver only loads code from an NVRTC
    /// no newer than itself, so pass the driver's CUDA major version when it is known.
    public static func nvrtc(preferringMajor major: Int? = nil) -> CUDALibraryKind {
        CUDALibraryKind(
            displayName: "NVRTC (libnvrtc.so.13 or .12)", environmentVariable: "SWIFTLLM_NVRTC",
            fileNames: preferring(major, ["libnvrtc.so.13", "libnvrtc.so.12"]), probeSymbol: "nvrtcVersion",
            companionStem: "libnvrtc-builtins")
    }

    /// cuBLASLt, preferring the newest major version (or the driver's, when given).
    public static func cublasLt(preferringMajor major: Int? = nil) -> CUDALibraryKind {
        CUDALibraryKind(
            displayName: "cuBLASLt (libcublasLt.so.13 or .12)", environmentVariable: "SWIFTLLM_CUBLASLT",
            fileNames: preferring(major, ["libcublasLt.so.13", "libcublasLt.so.12"]), probeSymbol: "cublasLtCreate")
    }

    /// `names` with those ending in `.<major>` moved to the front, order otherwise kept.
    static func preferring(_ major: Int?, _ names: [String]) -> [String] {
        guard let major else { return names }
        let suffix = ".so.\(major)"
        return names.filter { $0.hasSuffix(suffix) } + names.filter { !$0.hasSuffix(suffix) }
    }

    /// The file name of a companion library matching `fileName`'s major version, as a
    /// prefix: "libnvrtc.so.13" gives "libnvrtc-builtins.so.13.".
    func companionPrefix(for fileName: String) -> String? {
        guard let stem = companionStem, let range = fileName.range(of: ".so.") else { return nil }
        let major = fileName[range.upperBound...].split(separator: ".").first.map(String.init) ?? ""
        guard !major.isEmpty else { return nil }
        return "\(stem).so.\(major)."
    }
}
