import Foundation

/// The kernels of one device: each family is compiled by NVRTC for the device's exact
/// architecture on first use (or read from the ``KernelDiskCache``), loaded as a module
/// once, and its functions looked up once.
public final class KernelLibrary: @unchecked Sendable {
    public let device: CUDADevice
    private let environment: LibrarySearchEnvironment
    private let cache: KernelDiskCache
    private let lock = NSLock()
    private var compiler: KernelCompiler?
    private var modules: [String: CUmodule] = [:]
    private var functions: [FunctionKey: CUfunction] = [:]

    private struct FunctionKey: Hashable {
        var family: String
        var name: String
    }

    /// Where each loaded family's CUBIN came from, for logs and tests.
    public enum Origin: Sendable, Equatable {
        case compiled, diskCache
    }
    private var origins: [String: Origin] = [:]

    /// Where `family`'s CUBIN came from, or nil when it is not loaded.
    public func origin(of family: String) -> Origin? {
        lock.withLock { origins[family] }
    }

    public init(device: CUDADevice, environment: LibrarySearchEnvironment = .current) {
        self.device = device
        self.environment = environment
        self.cache = KernelDiskCache(environment: environment)
    }

    deinit {
        guard (try? device.makeCurrent()) != nil else { return }
        _ = device.driver.cuStreamSynchronize(device.stream)
        for module in modules.values { _ = device.driver.cuModuleUnload(module) }
    }

    /// The kernel `name` (an `extern "C" __global__` function) of family `family`.
    public func function(family: String, name: String) throws -> CUfunction {
        let key = FunctionKey(family: family, name: name)
        if let function = lock.withLock({ functions[key] }) { return function }
        return try lock.withLock {
            if let function = functions[key] { return function }
            let module = try loadedModule(family)
            try device.makeCurrent()
            var function: CUfunction?
            let result = name.withCString { device.driver.cuModuleGetFunction(&function, module, $0) }
            guard result == CUDAConstant.success, let function else { throw CUDAError.kernelNotFound(family: family, name: name) }
            functions[key] = function
            device.register(function: function, name: "\(family).\(name)")
            return function
        }
    }

    /// Compiles (or fetches from the cache) and loads `family` now, e.g. at start-up.
    public func load(family: String) throws {
        _ = try lock.withLock { try loadedModule(family) }
    }

    /// Called with the lock held.
    private func loadedModule(_ family: String) throws -> CUmodule {
        if let module = modules[family] { return module }
        let kernel = try KernelSource.load(family: family, environment: environment)
        let compiler = try self.compiler ?? KernelCompiler(nvrtc: CUDALibraries.nvrtc(), environment: environment)
        self.compiler = compiler
        let arch = device.arch
        let key = KernelDiskCache.key(source: kernel.source, headers: kernel.headers, arch: arch,
                                      options: compiler.options(arch: arch), compilerVersion: compiler.version)
        try device.makeCurrent()
        if let cubin = cache.read(key: key), let module = try? loadModule(cubin, family: family) {
            modules[family] = module
            origins[family] = .diskCache
            return module
        }
        let cubin = try compiler.compile(kernel, arch: arch)
        let module = try loadModule(cubin, family: family)
        cache.write(key: key, cubin: cubin)
        modules[family] = module
        origins[family] = .compiled
        return module
    }

    private func loadModule(_ cubin: [UInt8], family: String) throws -> CUmodule {
        var module: CUmodule?
        let result = cubin.withUnsafeBytes { device.driver.cuModuleLoadData(&module, $0.baseAddress) }
        try device.driver.check(result, "cuModuleLoadData(\(family) for \(device.arch))")
        return module!
    }
}
