#if canImport(Glibc)
import Glibc
#endif

/// A shared library opened with `dlopen`, kept open for the life of the process (CUDA
/// libraries are not meant to be unloaded). Symbols are bound to `@convention(c)`
/// function types by ``symbol(_:as:)``.
public final class DynamicLibrary: @unchecked Sendable {
    /// Display name of what was loaded ("CUDA driver (libcuda.so.1)").
    public let displayName: String
    /// The file that was loaded (resolved through `dladdr` when found by soname).
    public let path: String
    let handle: UnsafeMutableRawPointer

    init(displayName: String, path: String, handle: UnsafeMutableRawPointer) {
        self.displayName = displayName
        self.path = path
        self.handle = handle
    }

    /// Opens the first loadable candidate for `kind`, in ``LibrarySearch`` order. The
    /// error lists every candidate with the reason it failed.
    public static func load(_ kind: CUDALibraryKind, environment: LibrarySearchEnvironment) throws -> DynamicLibrary {
        var tried: [String] = []
        for candidate in LibrarySearch.candidates(for: kind, in: environment) {
            let name: String
            switch candidate {
            case let .path(path):
                guard environment.fileExists(path) else {
                    tried.append("\(path) (no such file)")
                    continue
                }
                preloadCompanions(of: path, kind: kind, environment: environment)
                name = path
            case let .systemName(soname):
                name = soname
            }
            _ = dlerror()
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                tried.append("\(candidate) (\(lastError() ?? "dlopen failed"))")
                continue
            }
            guard let probe = dlsym(handle, kind.probeSymbol) else {
                tried.append("\(candidate) (loaded, but has no \(kind.probeSymbol): not \(kind.displayName))")
                continue
            }
            return DynamicLibrary(displayName: kind.displayName, path: resolvedPath(of: probe) ?? name, handle: handle)
        }
        if environment.value(kind.environmentVariable) == nil {
            tried.append("(set \(kind.environmentVariable) to the library's full path to choose one)")
        }
        throw CUDAError.libraryNotFound(library: kind.displayName, tried: tried)
    }

    /// Binds `name` as a C function of type `T` (a `@convention(c)` function type).
    public func symbol<T>(_ name: String, as type: T.Type = T.self) throws -> T {
        guard let pointer = dlsym(handle, name) else {
            throw CUDAError.symbolNotFound(library: displayName, path: path, symbol: name)
        }
        return unsafeBitCast(pointer, to: T.self)
    }

    /// Binds `name` when the library has it (symbols added in later versions).
    public func optionalSymbol<T>(_ name: String, as type: T.Type = T.self) -> T? {
        guard let pointer = dlsym(handle, name) else { return nil }
        return unsafeBitCast(pointer, to: T.self)
    }

    /// Loads `<stem>.so.<major>.*` from the folder of `path` so that the library finds
    /// it by soname (NVRTC's builtins); failures are left to the library to report.
    private static func preloadCompanions(of path: String, kind: CUDALibraryKind, environment: LibrarySearchEnvironment) {
        guard let slash = path.lastIndex(of: "/") else { return }
        let directory = String(path[..<slash]), fileName = String(path[path.index(after: slash)...])
        guard let prefix = kind.companionPrefix(for: fileName) else { return }
        let companions = (environment.listDirectory(directory) ?? []).filter { $0.hasPrefix(prefix) }.sorted()
        for companion in companions {
            _ = dlopen(LibrarySearch.join(directory, companion), RTLD_NOW | RTLD_GLOBAL)
        }
    }

    private static func lastError() -> String? {
        guard let message = dlerror() else { return nil }
        return String(cString: message)
    }

    /// The file that defines `symbol`, from glibc's `dladdr` (bound at run time: the
    /// Glibc module does not export the GNU extension). `Dl_info` starts with
    /// `const char *dli_fname`, followed by three more pointers.
    private static func resolvedPath(of symbol: UnsafeMutableRawPointer) -> String? {
        typealias DladdrFunction = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32
        guard let address = dlsym(nil, "dladdr") else { return nil }
        let dladdr = unsafeBitCast(address, to: DladdrFunction.self)
        var info: (UnsafePointer<CChar>?, UnsafeRawPointer?, UnsafePointer<CChar>?, UnsafeRawPointer?) = (nil, nil, nil, nil)
        let found = withUnsafeMutableBytes(of: &info) { dladdr(symbol, $0.baseAddress) }
        guard found != 0, let name = info.0 else { return nil }
        let path = String(cString: name)
        return path.isEmpty ? nil : path
    }
}
