import CLLMKernels
import LLMCheckpoint
import LLMRuntime

/// Reads named checkpoint tensors, checks their shapes, and hands them to the backend,
/// reporting progress as it goes.
public final class WeightLoader {
    public let source: any WeightSource
    public let backend: any Backend
    private let progress: ((Int, Int) -> Void)?
    private var loaded = 0
    public private(set) var parameterCount = 0
    public var expectedCount: Int

    public init(source: any WeightSource, backend: any Backend, expectedCount: Int, progress: ((Int, Int) -> Void)?) {
        self.source = source
        self.backend = backend
        self.expectedCount = expectedCount
        self.progress = progress
    }

    public func contains(_ name: String) -> Bool { source.contains(name) }

    /// The tensor `name`, which must have `shape`.
    public func load(_ name: String, shape: [Int]) throws -> Tensor {
        let host = try hostTensor(name, shape: shape)
        return try finish(backend.upload(weight: host))
    }

    public func loadIfPresent(_ name: String, shape: [Int]) throws -> Tensor? {
        contains(name) ? try load(name, shape: shape) : nil
    }

    /// Several `[rows_i, cols]` tensors stacked into one `[sum rows_i, cols]` weight, so
    /// one matrix multiply serves them (gate and up projections).
    public func loadStacked(_ names: [String], rows: [Int], columns: Int) throws -> Tensor {
        let parts = try zip(names, rows).map { try hostTensor($0, shape: [$1, columns]) }
        let total = rows.reduce(0, +)
        let sameType = parts.allSatisfy { $0.dtype == parts[0].dtype }
        let dtype = sameType ? parts[0].dtype : .f32
        let buffer = HostBuffer(byteCount: dtype.byteCount(elements: total * columns))
        var offset = 0
        for part in parts {
            let bytes = dtype.byteCount(elements: part.elementCount)
            if sameType {
                (buffer.pointer + offset).copyMemory(from: part.data, byteCount: bytes)
            } else if !llm_dequantize(part.dtype.kernelTypeID, part.data, (buffer.pointer + offset).assumingMemoryBound(to: Float.self), Int64(part.elementCount)) {
                throw RuntimeError.unsupportedDType(op: "load \(names)", dtype: part.dtype)
            }
            offset += bytes
        }
        let stacked = HostTensor(shape: [total, columns], dtype: dtype, data: UnsafeRawPointer(buffer.pointer), owner: buffer)
        loaded += names.count - 1
        return try finish(backend.upload(weight: stacked))
    }

    private func hostTensor(_ name: String, shape: [Int]) throws -> HostTensor {
        guard source.contains(name) else { throw ModelError.missingWeight(name: name, source: source.path) }
        let host = try source.tensor(name)
        guard host.shape == shape else { throw ModelError.weightShape(name: name, expected: shape, found: host.shape) }
        parameterCount += host.elementCount
        return host
    }

    private func finish(_ tensor: Tensor) -> Tensor {
        loaded += 1
        progress?(loaded, expectedCount)
        return tensor
    }
}
