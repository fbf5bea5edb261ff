#if canImport(Glibc)
import Glibc
#endif

/// Compiles CUDA C++ to a CUBIN for one exact architecture with NVRTC. Needs no GPU, so
/// CI checks that every kernel family compiles for every supported architecture.
public struct KernelCompiler: Sendable {
    public let nvrtc: NVRTCAPI
    /// Folder with cuda_bf16.h / cuda_fp16.h, passed as `-I`; nil when none was found.
    public let includeDirectory: String?
    /// "13.0": part of the disk cache key.
    public let version: String

    /// Options of every compilation besides the architecture and include folder. Fast
    /// math is off: kernels opt into approximate intrinsics where they want them.
    public static let baseOptions = ["--std=c++17", "-default-device"]

    /// The architectures the kernels must compile for (checked in CI).
    public static let supportedArchitectures = ["sm_80", "sm_86", "sm_89", "sm_90a", "sm_100a"]

    /// Uses the process's NVRTC and finds the CUDA headers next to it, in the toolkit
    /// or in the wheels (``LibrarySearch/includeDirectory(nvrtcPath:in:)``).
    public init(environment: LibrarySearchEnvironment = .current) throws {
        try self.init(nvrtc: CUDALibraries.nvrtc(), environment: environment)
    }

    public init(nvrtc: NVRTCAPI, environment: LibrarySearchEnvironment) throws {
        self.nvrtc = nvrtc
        self.includeDirectory = LibrarySearch.includeDirectory(nvrtcPath: nvrtc.library.path, in: environment)
        let (major, minor) = try nvrtc.version()
        self.version = "\(major).\(minor)"
    }

    /// Every option passed to NVRTC for `arch`.
    public func options(arch: String) -> [String] {
        Self.baseOptions + ["--gpu-architecture=\(arch)"] + (includeDirectory.map { ["-I\($0)"] } ?? [])
    }

    /// The CUBIN of `kernel` for `arch` ("sm_90a"). A source error throws
    /// ``CUDAError/kernelCompile(family:arch:log:)`` with NVRTC's log, whose lines name
    /// the file (the program name) and line.
    public func compile(_ kernel: KernelSource, arch: String) throws -> [UInt8] {
        let headerNames = kernel.headers.keys.sorted()
        let options = options(arch: arch)
        return try withCStrings(headerNames) { names in
            try withCStrings(headerNames.map { kernel.headers[$0]! }) { contents in
                try withCStrings(options) { optionPointers in
                    var program: NVRTCProgram?
                    try nvrtc.check(nvrtc.nvrtcCreateProgram(&program, kernel.source, kernel.programName, Int32(headerNames.count),
                                                             contents, names), "nvrtcCreateProgram(\(kernel.programName))")
                    defer { _ = nvrtc.nvrtcDestroyProgram(&program) }
                    let result = nvrtc.nvrtcCompileProgram(program, Int32(options.count), optionPointers)
                    if result != NVRTCAPI.success {
                        let log = (try? programLog(program)) ?? ""
                        if result == NVRTCAPI.compilationError || !log.isEmpty {
                            throw CUDAError.kernelCompile(family: kernel.family, arch: arch, log: log.isEmpty ? "(empty log)" : log)
                        }
                        try nvrtc.check(result, "nvrtcCompileProgram(\(kernel.programName), \(options.joined(separator: " ")))")
                    }
                    var size = 0
                    try nvrtc.check(nvrtc.nvrtcGetCUBINSize(program, &size), "nvrtcGetCUBINSize")
                    var cubin = [UInt8](repeating: 0, count: size)
                    try cubin.withUnsafeMutableBytes { buffer in
                        try nvrtc.check(nvrtc.nvrtcGetCUBIN(program, buffer.baseAddress?.assumingMemoryBound(to: CChar.self)), "nvrtcGetCUBIN")
                    }
                    return cubin
                }
            }
        }
    }

    private func programLog(_ program: NVRTCProgram?) throws -> String {
        var size = 0
        try nvrtc.check(nvrtc.nvrtcGetProgramLogSize(program, &size), "nvrtcGetProgramLogSize")
        guard size > 1 else { return "" }
        var bytes = [CChar](repeating: 0, count: size)
        try nvrtc.check(nvrtc.nvrtcGetProgramLog(program, &bytes), "nvrtcGetProgramLog")
        let text = String(decoding: bytes.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.trimmingTrailingWhitespace()
    }
}

/// Calls `body` with a C array of C strings alive for the call (nil for an empty list).
func withCStrings<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) throws -> R) rethrows -> R {
    if strings.isEmpty { return try body(nil) }
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer<CChar>($0) }
    return try pointers.withUnsafeBufferPointer { try body($0.baseAddress) }
}

extension String {
    func trimmingTrailingWhitespace() -> String {
        var text = Substring(self)
        while let last = text.last, last.isWhitespace { text = text.dropLast() }
        return String(text)
    }
}
