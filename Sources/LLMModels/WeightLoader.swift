import CLLMKernels
import LLMCheckpoint
import LLMRuntime

/// Reads named checkpoint tensors, checks their shapes, and hands them to the backend,
/// reporting progress as it goes. Without a source it makes random weights of the shapes
/// the model asks for (`--load-format dummy`), so benchmarks need no files.
public final class WeightLoader {
    public let source: (any WeightSource)?
    public let backend: any Backend
    private let progress: ((Int, Int) -> Void)?
    private let seed: UInt64
    var loaded = 0
    public private(set) var parameterCount = 0
    public var expectedCount: Int

    /// Loads from `source`, or random weights (seeded) when `source` is nil.
    public init(source: (any WeightSource)?, backend: any Backend, expectedCount: Int, seed: UInt64 = 0, progress: ((Int, Int) -> Void)?) {
        self.source = source
        self.backend = backend
        self.expectedCount = expectedCount
        self.seed = seed
        self.progress = progress
    }

    public var isRandom: Bool { source == nil }

    /// Whether the checkpoint has `name`; for random weights, whether the config says the
    /// architecture has it.
    public func has(_ name: String, expectedByConfig: Bool) -> Bool {
        source.map { $0.contains(name) } ?? expectedByConfig
    }

    /// The tensor `name`, which must have `shape`.
    public func load(_ name: String, shape: [Int]) throws -> Tensor {
        guard source != nil else { return try finish(random(name, shape: shape)) }
        let host = try hostTensor(name, shape: shape)
        return try finish(backend.upload(weight: uploadable(host, name: name)))
    }

    /// A norm weight `[dim]` as f32 values plus `offset`, kept in f32 on every backend:
    /// Gemma's RMSNorm multiplies by (1 + w) in f32, and rounding 1 + w to bf16 would
    /// lose most of w's bits. Random weights are ones.
    public func loadNorm(_ name: String, dim: Int, adding offset: Float) throws -> Tensor {
        guard let source else { return try finish(random(name, shape: [dim])) }
        let host = try hostTensor(name, shape: [dim])
        let values = try host.dequantizedValues(file: source.path, name: name).map { $0 + offset }
        return try finish(backend.tensor(values, shape: [dim]))
    }

    /// One fused `[sum rows_i, columns]` tensor cut into consecutive row blocks (Phi-3's
    /// `qkv_proj`): zero-copy views of the checkpoint tensor, any format whose rows are
    /// whole blocks.
    public func loadSplit(_ name: String, rows: [Int], columns: Int) throws -> [Tensor] {
        guard source != nil else {
            loaded += 1 - rows.count
            return try rows.enumerated().map { try finish(random("\(name)#\($0.offset)", shape: [$0.element, columns])) }
        }
        let host = try hostTensor(name, shape: [rows.reduce(0, +), columns])
        let rowBytes = host.dtype.byteCount(elements: columns)
        var first = 0
        loaded += 1 - rows.count
        return try rows.map { count in
            defer { first += count }
            let part = HostTensor(shape: [count, columns], dtype: host.dtype, data: host.data + first * rowBytes, owner: host.owner)
            return try finish(backend.upload(weight: uploadable(part, name: name)))
        }
    }

    /// A random tensor: norm weights are 1, matrices uniform in ±1/sqrt(columns) so
    /// activations keep their scale through the layers.
    func random(_ name: String, shape: [Int]) throws -> Tensor {
        let tensor = try backend.allocate(shape: shape, dtype: backend.activationDType)
        let bound: Float = name.hasSuffix("norm.weight") ? 1 : 1 / Float(shape.last ?? 1).squareRoot()
        let low: Float = name.hasSuffix("norm.weight") ? 1 : -bound
        var hasher = SplitMix64(state: seed)
        for byte in name.utf8 { hasher = SplitMix64(state: hasher.next() ^ UInt64(byte)) }
        try backend.fillUniform(tensor, seed: hasher.next(), low: low, high: bound)
        parameterCount += tensor.elementCount
        return tensor
    }

    /// The tensor converted to f32 on the host when the backend cannot take its format.
    func uploadable(_ host: HostTensor, name: String) throws -> HostTensor {
        guard !backend.weightTypes.contains(host.dtype) else { return host }
        let values = try host.dequantizedValues(file: source?.path ?? "", name: name)
        return .f32(values, shape: host.shape)
    }

    /// Several `[rows_i, cols]` tensors stacked into one `[sum rows_i, cols]` weight, so
    /// one matrix multiply serves them (gate and up projections).
    public func loadStacked(_ names: [String], rows: [Int], columns: Int) throws -> Tensor {
        guard source != nil else {
            loaded += names.count - 1
            return try finish(random(names.joined(separator: "+"), shape: [rows.reduce(0, +), columns]))
        }
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
        return try finish(backend.upload(weight: uploadable(stacked, name: names.joined(separator: "+"))))
    }

    func hostTensor(_ name: String, shape: [Int]) throws -> HostTensor {
        guard let source else { throw ModelError.missingWeight(name: name, source: "random weights") }
        guard source.contains(name) else { throw ModelError.missingWeight(name: name, source: source.path) }
        let host = try source.tensor(name)
        guard host.shape == shape else { throw ModelError.weightShape(name: name, expected: shape, found: host.shape) }
        parameterCount += host.elementCount
        return host
    }

    func finish(_ tensor: Tensor) -> Tensor {
        loaded += 1
        progress?(loaded, expectedCount)
        return tensor
    }
}
