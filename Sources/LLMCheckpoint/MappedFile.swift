#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory.
///
/// The mapping lives as long as this object; tensors that point into it keep it alive
/// through `HostTensor.owner`. The bytes are never written.
public final class MappedFile: @unchecked Sendable {
    /// Path the file was opened from (used in error messages).
    public let path: String
    /// First byte of the file. Valid for `count` bytes (a dummy byte for empty files).
    public let base: UnsafeRawPointer
    /// Size of the file in bytes.
    public let count: Int

    private enum Storage {
        case mapped
        case heap(UnsafeMutableRawPointer)
    }

    private let storage: Storage

    /// Maps the file at `path` read-only.
    /// - Throws: `CheckpointError.io` when the file cannot be opened, is not a regular
    ///   file, or cannot be mapped.
    public init(path: String) throws {
        self.path = path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CheckpointError.io(path: path, reason: MappedFile.errnoText()) }
        defer { close(fd) }

        var info = stat()
        if fstat(fd, &info) != 0 { throw CheckpointError.io(path: path, reason: MappedFile.errnoText()) }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw CheckpointError.io(path: path, reason: "is a directory, expected a file")
        }
        if (info.st_mode & S_IFMT) != S_IFREG {
            throw CheckpointError.io(path: path, reason: "is not a regular file")
        }
        let size = Int(info.st_size)
        if size == 0 {
            // mmap rejects empty ranges; an empty file is still a valid (if useless) input.
            let dummy = UnsafeMutableRawPointer.allocate(byteCount: 1, alignment: 64)
            dummy.storeBytes(of: 0, as: UInt8.self)
            base = UnsafeRawPointer(dummy)
            count = 0
            storage = .heap(dummy)
            return
        }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else {
            throw CheckpointError.io(path: path, reason: "mmap of \(size) bytes failed: \(MappedFile.errnoText())")
        }
        base = UnsafeRawPointer(address)
        count = size
        storage = .mapped
    }

    /// An in-memory stand-in for a mapped file holding a copy of `bytes`, reported as
    /// `path` in errors. Used by tests and for checkpoints that are already in memory.
    public init(copying bytes: [UInt8], path: String) {
        self.path = path
        let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        memory.storeBytes(of: 0, as: UInt8.self)
        bytes.withUnsafeBytes { source in
            if let address = source.baseAddress { memory.copyMemory(from: address, byteCount: source.count) }
        }
        base = UnsafeRawPointer(memory)
        count = bytes.count
        storage = .heap(memory)
    }

    deinit {
        switch storage {
        case .mapped: munmap(UnsafeMutableRawPointer(mutating: base), count)
        case let .heap(memory): memory.deallocate()
        }
    }

    /// The file's bytes as a buffer.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    static func errnoText() -> String {
        guard let text = strerror(errno) else { return "errno \(errno)" }
        return String(cString: text)
    }
}
