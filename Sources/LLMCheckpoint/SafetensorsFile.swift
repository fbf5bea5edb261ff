import LLMRuntime

/// One safetensors file: an 8-byte little-endian header length, a JSON header, then the
/// tensor data. Tensors are zero-copy views into a read-only mapping.
public final class SafetensorsFile: Sendable {
    /// Path the file was opened from.
    public var path: String { file.path }
    /// The mapping that backs the tensors.
    public let file: MappedFile
    /// The header's `__metadata__` (string to string), empty when absent.
    public let metadata: [String: String]
    /// Tensor entries ordered by data offset.
    public let tensors: [SafetensorsTensorInfo]
    /// Absolute byte offset of the data section (8 + header length).
    public let dataOffset: Int

    private let tensorIndex: [String: Int]

    /// Opens and validates the safetensors file at `path`.
    /// - Throws: `CheckpointError` when the header is truncated, not JSON, names an
    ///   unknown dtype, or a tensor's byte range does not match its shape or the file.
    public convenience init(path: String) throws {
        try self.init(file: MappedFile(path: path))
    }

    /// Parses an already mapped (or in-memory) file.
    public init(file: MappedFile) throws {
        self.file = file
        var reader = ByteReader(file)
        let headerLength = try reader.u64("header length")
        guard headerLength <= UInt64(reader.remaining) else {
            throw CheckpointError.truncated(
                file: file.path, field: "JSON header", offset: 8,
                needed: headerLength > UInt64(Int.max) ? Int.max : Int(headerLength), fileSize: file.count)
        }
        dataOffset = 8 + Int(headerLength)
        let headerBytes = UnsafeRawBufferPointer(start: file.base + 8, count: Int(headerLength))
        let entries = try SafetensorsHeaderEntry.decodeHeader(headerBytes, file: file.path)

        var metadata: [String: String] = [:]
        var infos: [SafetensorsTensorInfo] = []
        let dataSize = file.count - dataOffset
        for (name, entry) in entries {
            if name == "__metadata__" {
                guard case let .metadata(values) = entry else {
                    throw CheckpointError.malformed(
                        file: file.path, field: "__metadata__", expected: "an object of string values",
                        found: "another JSON value")
                }
                metadata = values
                continue
            }
            infos.append(try Self.validate(name: name, entry: entry, dataSize: dataSize, file: file, dataOffset: dataOffset))
        }
        infos.sort { ($0.dataOffsets.lowerBound, $0.name) < ($1.dataOffsets.lowerBound, $1.name) }
        // Tensors sharing bytes would read each other's data (the format lays them end to
        // end; empty ones hold no bytes).
        var previous: SafetensorsTensorInfo?
        for info in infos where !info.dataOffsets.isEmpty {
            if let previous, info.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
                throw CheckpointError.malformed(
                    file: file.path, field: "data_offsets of tensor '\(info.name)'",
                    expected: "a range after tensor '\(previous.name)', which ends at \(previous.dataOffsets.upperBound)",
                    found: "[\(info.dataOffsets.lowerBound), \(info.dataOffsets.upperBound)]")
            }
            previous = info
        }
        self.metadata = metadata
        tensors = infos
        var index: [String: Int] = [:]
        for (position, info) in infos.enumerated() { index[info.name] = position }
        tensorIndex = index
    }

    /// Tensor names ordered by data offset.
    public var tensorNames: [String] { tensors.map(\.name) }

    /// The header entry of the tensor called `name`, if present.
    public func info(named name: String) -> SafetensorsTensorInfo? {
        tensorIndex[name].map { tensors[$0] }
    }

    /// A view of the tensor called `name`. Zero-copy, except that data whose address
    /// is not a multiple of the element size is copied to aligned memory.
    /// - Throws: `missingTensor`, or `unsupported` for dtypes the engine cannot read.
    public func tensor(named name: String) throws -> HostTensor {
        guard let info = info(named: name) else { throw CheckpointError.missingTensor(file: path, name: name) }
        guard let dtype = info.dtype else {
            throw CheckpointError.unsupported(file: path, field: "dtype of tensor '\(name)'", value: info.dtypeName)
        }
        let data = file.base + dataOffset + info.dataOffsets.lowerBound
        if Int(bitPattern: data) % dtype.blockBytes != 0 {
            let buffer = HostBuffer(byteCount: info.byteCount)
            buffer.pointer.copyMemory(from: data, byteCount: info.byteCount)
            return HostTensor(shape: info.shape, dtype: dtype, data: UnsafeRawPointer(buffer.pointer), owner: buffer)
        }
        return HostTensor(shape: info.shape, dtype: dtype, data: data, owner: file)
    }

    /// The tensor called `name` converted to f32 values, row-major.
    public func dequantized(named name: String) throws -> [Float] {
        try tensor(named: name).dequantizedValues(file: path, name: name)
    }

    private static func validate(
        name: String, entry: SafetensorsHeaderEntry, dataSize: Int, file: MappedFile, dataOffset: Int
    ) throws -> SafetensorsTensorInfo {
        func malformed(_ field: String, _ expected: String, _ found: String) -> CheckpointError {
            CheckpointError.malformed(file: file.path, field: "\(field) of tensor '\(name)'", expected: expected, found: found)
        }
        guard case let .tensor(dtypeName, shape, offsets) = entry else {
            throw malformed("entry", "an object with dtype, shape and data_offsets", "another JSON value")
        }
        guard let dtypeName else { throw malformed("dtype", "a dtype string", "a missing or non-string value") }
        guard let type = SafetensorsDType.lookup(dtypeName) else {
            throw CheckpointError.unsupported(file: file.path, field: "dtype of tensor '\(name)'", value: "'\(dtypeName)'")
        }
        guard let shape, shape.allSatisfy({ $0 >= 0 }) else {
            throw malformed("shape", "a list of non-negative integers", "\(shape.map { "\($0)" } ?? "a missing or non-integer value")")
        }
        guard let offsets, offsets.count == 2, offsets[0] >= 0, offsets[0] <= offsets[1] else {
            throw malformed("data_offsets", "[begin, end] with 0 <= begin <= end", "\(offsets.map { "\($0)" } ?? "a missing or non-integer value")")
        }
        var bits = type.bits
        for size in shape {
            let (product, overflow) = bits.multipliedReportingOverflow(by: size)
            if overflow { throw malformed("shape", "a size below 2^63 bytes", "\(shape)") }
            bits = product
        }
        guard bits % 8 == 0 else { throw malformed("shape", "a whole number of bytes", "\(shape) of \(dtypeName)") }
        let expectedBytes = bits / 8
        let range = offsets[0]..<offsets[1]
        guard range.count == expectedBytes else {
            throw malformed(
                "data_offsets", "\(expectedBytes) bytes for \(dtypeName) \(shape)",
                "\(range.count) bytes [\(offsets[0]), \(offsets[1])]")
        }
        guard range.upperBound <= dataSize else {
            throw CheckpointError.truncated(
                file: file.path, field: "data of tensor '\(name)'", offset: dataOffset + range.lowerBound,
                needed: range.count, fileSize: file.count)
        }
        return SafetensorsTensorInfo(name: name, dtypeName: dtypeName, dtype: type.dtype, shape: shape, dataOffsets: range)
    }
}
