/// A place to try loading a library from.
public enum LibraryCandidate: Hashable, Sendable, CustomStringConvertible {
    /// A full path to one file.
    case path(String)
    /// A bare soname handed to the dynamic loader, which searches the system library
    /// path (ld.so.cache, /etc/ld.so.conf folders, /lib, /usr/lib).
    case systemName(String)

    public var description: String {
        switch self {
        case let .path(path): return path
        case let .systemName(name): return "\(name) (system library path)"
        }
    }
}

/// The search order of DESIGN.md §1, as data: an explicit environment variable, then
/// `LD_LIBRARY_PATH`, then the CUDA toolkit (`$CUDA_HOME`, `/usr/local/cuda`), then the
/// system library path, then NVIDIA's Python wheels (`site-packages/nvidia/*/lib`).
/// Within each place the file names are tried in the kind's order of preference.
public enum LibrarySearch {
    /// Every candidate for `kind`, in the order they are tried.
    public static func candidates(for kind: CUDALibraryKind, in environment: LibrarySearchEnvironment) -> [LibraryCandidate] {
        if let explicit = environment.value(kind.environmentVariable) {
            return [explicit.contains("/") ? .path(explicit) : .systemName(explicit)]
        }
        var result: [LibraryCandidate] = []
        func add(directory: String) {
            for name in kind.fileNames { result.append(.path(join(directory, name))) }
        }
        libraryPathDirectories(environment).forEach(add(directory:))
        toolkitLibraryDirectories(environment).forEach(add(directory:))
        result += kind.fileNames.map { .systemName($0) }
        wheelLibraryDirectories(environment).forEach(add(directory:))
        return unique(result)
    }

    /// `LD_LIBRARY_PATH` entries, in order; empty entries are skipped.
    static func libraryPathDirectories(_ environment: LibrarySearchEnvironment) -> [String] {
        (environment.value("LD_LIBRARY_PATH") ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
    }

    /// Library folders of a CUDA toolkit: `$CUDA_HOME` / `$CUDA_PATH` when set, then
    /// `/usr/local/cuda`.
    static func toolkitLibraryDirectories(_ environment: LibrarySearchEnvironment) -> [String] {
        toolkitRoots(environment).flatMap { [join($0, "lib64"), join($0, "targets/\(targetTriple)/lib")] }
    }

    /// Header folders of a CUDA toolkit, in the same order as its library folders.
    static func toolkitIncludeDirectories(_ environment: LibrarySearchEnvironment) -> [String] {
        toolkitRoots(environment).flatMap { [join($0, "include"), join($0, "targets/\(targetTriple)/include")] }
    }

    static func toolkitRoots(_ environment: LibrarySearchEnvironment) -> [String] {
        unique(["CUDA_HOME", "CUDA_PATH"].compactMap { environment.value($0) } + ["/usr/local/cuda"])
    }

    #if arch(arm64)
    static let targetTriple = "sbsa-linux"
    #else
    static let targetTriple = "x86_64-linux"
    #endif

    /// Python package folders found by scanning (no interpreter is run): the active
    /// virtual environment, conda, the user site, pyenv versions, then the system ones.
    /// Newer Python versions come first within each place.
    public static func pythonSitePackages(_ environment: LibrarySearchEnvironment) -> [String] {
        var prefixes: [String] = []
        if let venv = environment.value("VIRTUAL_ENV") { prefixes.append(venv) }
        if let conda = environment.value("CONDA_PREFIX") { prefixes.append(conda) }
        if let home = environment.homeDirectory { prefixes.append(join(home, ".local")) }
        let pyenvRoot = environment.value("PYENV_ROOT") ?? environment.homeDirectory.map { join($0, ".pyenv") }
        if let pyenvRoot {
            let versions = join(pyenvRoot, "versions")
            for version in sortedNewestFirst(environment.listDirectory(versions) ?? []) { prefixes.append(join(versions, version)) }
        }
        prefixes += ["/usr/local", "/usr"]

        var result: [String] = []
        for prefix in prefixes {
            let lib = join(prefix, "lib")
            let pythons = sortedNewestFirst((environment.listDirectory(lib) ?? []).filter { $0.hasPrefix("python3") })
            for python in pythons {
                for leaf in ["site-packages", "dist-packages"] {
                    let path = join(join(lib, python), leaf)
                    if environment.isDirectory(path) { result.append(path) }
                }
            }
        }
        return unique(result)
    }

    /// `nvidia/<package>/lib` folders of every site-packages folder: the merged CUDA 13
    /// layout (`nvidia/cu13`) and newer majors first, then the per-package CUDA 12 layout
    /// (`nvidia/cublas`, `nvidia/cuda_nvrtc`, ...) alphabetically.
    public static func wheelLibraryDirectories(_ environment: LibrarySearchEnvironment) -> [String] {
        wheelPackageDirectories(environment).map { join($0, "lib") }.filter(environment.isDirectory)
    }

    /// `nvidia/<package>/include` folders, in the order of ``wheelLibraryDirectories(_:)``.
    static func wheelIncludeDirectories(_ environment: LibrarySearchEnvironment) -> [String] {
        wheelPackageDirectories(environment).map { join($0, "include") }.filter(environment.isDirectory)
    }

    static func wheelPackageDirectories(_ environment: LibrarySearchEnvironment) -> [String] {
        pythonSitePackages(environment).flatMap { sitePackages -> [String] in
            let nvidia = join(sitePackages, "nvidia")
            let packages = environment.listDirectory(nvidia) ?? []
            let merged = sortedNewestFirst(packages.filter(isMergedLayout))
            let separate = packages.filter { !isMergedLayout($0) }.sorted()
            return (merged + separate).map { join(nvidia, $0) }
        }
    }

    /// "cu13", "cu12": the folders of NVIDIA's merged wheels.
    static func isMergedLayout(_ name: String) -> Bool {
        name.hasPrefix("cu") && name.count > 2 && name.dropFirst(2).allSatisfy(\.isNumber)
    }

    /// Folders that may hold `cuda_bf16.h` for NVRTC, most specific first: the explicit
    /// `SWIFTLLM_CUDA_INCLUDE`, the `include` folder beside the NVRTC library in use, the
    /// toolkit, then the wheels.
    public static func includeDirectoryCandidates(nvrtcPath: String?, in environment: LibrarySearchEnvironment) -> [String] {
        var result: [String] = []
        if let explicit = environment.value("SWIFTLLM_CUDA_INCLUDE") { result.append(explicit) }
        if let nvrtcPath, let slash = nvrtcPath.lastIndex(of: "/") {
            let libDirectory = String(nvrtcPath[..<slash])
            if let parentSlash = libDirectory.lastIndex(of: "/") {
                result.append(join(String(libDirectory[..<parentSlash]), "include"))
            }
        }
        result += toolkitIncludeDirectories(environment)
        result += wheelIncludeDirectories(environment)
        return unique(result)
    }

    /// The first candidate folder that holds `cuda_bf16.h`, or nil.
    public static func includeDirectory(nvrtcPath: String?, in environment: LibrarySearchEnvironment) -> String? {
        includeDirectoryCandidates(nvrtcPath: nvrtcPath, in: environment).first { environment.fileExists(join($0, "cuda_bf16.h")) }
    }

    // MARK: helpers

    static func join(_ directory: String, _ name: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }

    static func unique<T: Hashable>(_ items: [T]) -> [T] {
        var seen = Set<T>()
        return items.filter { seen.insert($0).inserted }
    }

    /// Names ordered by their numbers, largest first ("python3.12" before "python3.9",
    /// "3.12.1" before "3.9.18"); ties by name.
    static func sortedNewestFirst(_ names: [String]) -> [String] {
        names.sorted { a, b in
            let (na, nb) = (numbers(in: a), numbers(in: b))
            if na != nb { return na.lexicographicallyPrecedes(nb) == false }
            return a < b
        }
    }

    /// The decimal numbers in a name, in order: "python3.12" gives [3, 12].
    static func numbers(in name: String) -> [Int] {
        name.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
    }
}
