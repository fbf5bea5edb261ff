/// A bounds-checked little-endian cursor over a file's bytes. Every read checks the
/// remaining length first and throws `CheckpointError.truncated` naming the field.
struct ByteReader {
    let base: UnsafeRawPointer
    let count: Int
    let file: String
    private(set) var offset: Int

    init(_ mapped: MappedFile, offset: Int = 0) {
        base = mapped.base
        count = mapped.count
        file = mapped.path
        self.offset = offset
    }

    var remaining: Int { count - offset }

    /// Throws unless `n` more bytes are available.
    func require(_ n: Int, _ field: @autoclosure () -> String) throws {
        if n < 0 || n > count - offset {
            throw CheckpointError.truncated(file: file, field: field(), offset: offset, needed: n, fileSize: count)
        }
    }

    mutating func skip(_ n: Int, _ field: @autoclosure () -> String) throws {
        try require(n, field())
        offset += n
    }

    mutating func u8(_ field: @autoclosure () -> String) throws -> UInt8 {
        try require(1, field())
        defer { offset += 1 }
        return base.load(fromByteOffset: offset, as: UInt8.self)
    }

    mutating func u16(_ field: @autoclosure () -> String) throws -> UInt16 {
        try require(2, field())
        defer { offset += 2 }
        return UInt16(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    mutating func u32(_ field: @autoclosure () -> String) throws -> UInt32 {
        try require(4, field())
        defer { offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func u64(_ field: @autoclosure () -> String) throws -> UInt64 {
        try require(8, field())
        defer { offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// Reads a GGUF string: a u64 byte length followed by that many UTF-8 bytes.
    mutating func string(_ field: @autoclosure () -> String) throws -> String {
        let start = offset
        let length = try u64(field())
        guard length <= UInt64(remaining) else {
            throw CheckpointError.truncated(
                file: file, field: "\(field()) (string of \(length) bytes)", offset: start + 8,
                needed: length > UInt64(Int.max) ? Int.max : Int(length), fileSize: count)
        }
        let n = Int(length)
        let bytes = UnsafeBufferPointer(start: (base + offset).assumingMemoryBound(to: UInt8.self), count: n)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CheckpointError.malformed(
                file: file, field: field(), expected: "valid UTF-8 text",
                found: "invalid UTF-8 in \(n) bytes at offset \(offset)")
        }
        offset += n
        return text
    }
}
