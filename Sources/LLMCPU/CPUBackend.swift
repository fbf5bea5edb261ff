import Foundation
import CLLMKernels
import LLMRuntime

/// The reference backend and the way SwiftLLM runs without a GPU: f32 activations,
/// quantised weights read in place, hot loops in C with AVX2 when the CPU has it.
public final class CPUBackend: Backend, @unchecked Sendable {
    public struct Options: Sendable, Equatable {
        /// Worker threads (including the caller); defaults to the machine's cores.
        public var threads: Int
        /// Multiply quantised weights with f32 activations instead of 8-bit quantised
        /// activations: slower, and numerically what reference implementations do.
        public var exactMatmul: Bool

        public init(threads: Int = CPUInfo.coreCount, exactMatmul: Bool = false) {
            self.threads = threads
            self.exactMatmul = exactMatmul
        }
    }

    public let options: Options
    public let name = "cpu"
    public let activationDType = DType.f32
    /// f16 by default in fast mode (converted to f32 as attention reads it: a decode step
    /// of many sequences reads about as many cache bytes as weight bytes, and this halves
    /// them; llama.cpp's default too), f32 by default in exact mode, as references keep it.
    public var kvCacheDTypes: [DType] { options.exactMatmul ? [.f32, .f16] : [.f16, .f32] }
    public let samplesOnDevice = false
    public let runsAsynchronously = false
    let pool: OpaquePointer
    /// Workspace of the linear kernels (quantised activations); grown to the largest
    /// batch during the profiling step, then reused.
    private var scratch: CPUBuffer?
    /// Fast-mode copies of weight matrices for the interleaved kernel.
    let interleavedWeights = InterleavedWeights()
    /// This step's rotary angles, shared by the layers.
    let ropeAngles = RopeAngleTable()

    public init(options: Options = Options()) throws {
        guard options.threads >= 1, options.threads <= 1024 else {
            throw RuntimeError.invalidArgument(op: "CPUBackend", reason: "threads must be in 1...1024 (got \(options.threads))")
        }
        guard let pool = llm_pool_create(Int32(options.threads)) else {
            throw RuntimeError.invalidArgument(op: "CPUBackend", reason: "could not start \(options.threads) threads")
        }
        self.options = options
        self.pool = pool
    }

    deinit { llm_pool_destroy(pool) }

    public var deviceDescription: String {
        let simd = llm_has_avx512_vnni() ? "AVX-512 VNNI" : llm_has_avx2() ? "AVX2" : "no AVX2"
        return "CPU, \(options.threads) thread\(options.threads == 1 ? "" : "s"), \(simd)\(options.exactMatmul ? ", exact matmul" : "")"
    }

    /// Every checkpoint format: those the kernels cannot read are expanded at upload.
    public var weightTypes: Set<DType> { Set(DType.allCases).subtracting([.i32]) }

    public func fillUniform(_ tensor: Tensor, seed: UInt64, low: Float, high: Float) throws {
        let values = try tensor.floats("fillUniform")
        var rng = SplitMix64(state: seed)
        for i in 0..<tensor.elementCount { values[i] = low + (high - low) * Float(rng.next() >> 40) / Float(1 << 24) }
    }

    /// Formats the matrix kernels read directly; others are expanded to f32 at upload.
    static let directWeightTypes: Set<DType> = [.f32, .q4_0, .q4_1, .q8_0, .q4_K, .q6_K]

    public func allocate(shape: [Int], dtype: DType) throws -> Tensor {
        Tensor(buffer: try CPUBuffer(byteCount: OpShapes.allocation(shape: shape, dtype: dtype)), shape: shape, dtype: dtype)
    }

    public func zero(_ tensor: Tensor) throws {
        memset(try tensor.cpuPointer("zero"), 0, tensor.byteCount)
    }

    public func upload(weight: HostTensor) throws -> Tensor {
        if Self.directWeightTypes.contains(weight.dtype) {
            let buffer = CPUBuffer(borrowing: weight.data, byteCount: weight.byteCount, owner: weight.owner)
            return Tensor(buffer: buffer, shape: weight.shape, dtype: weight.dtype)
        }
        let out = try allocate(shape: weight.shape, dtype: .f32)
        guard llm_dequantize(weight.dtype.kernelTypeID, weight.data, try out.floats("upload"), Int64(weight.elementCount)) else {
            throw RuntimeError.unsupportedDType(op: "upload", dtype: weight.dtype)
        }
        return out
    }

    public func write(_ source: UnsafeRawBufferPointer, to tensor: Tensor) throws {
        guard source.count == tensor.byteCount else {
            throw RuntimeError.shapeMismatch(op: "write", expected: "\(tensor.byteCount) bytes", got: "\(source.count) bytes")
        }
        if let base = source.baseAddress { try tensor.cpuPointer("write").copyMemory(from: base, byteCount: source.count) }
    }

    public func read(_ tensor: Tensor, into destination: UnsafeMutableRawBufferPointer) throws {
        guard destination.count == tensor.byteCount else {
            throw RuntimeError.shapeMismatch(op: "read", expected: "\(tensor.byteCount) bytes", got: "\(destination.count) bytes")
        }
        if let base = destination.baseAddress { base.copyMemory(from: try tensor.cpuPointer("read"), byteCount: destination.count) }
    }

    public func hostFloats(_ tensor: Tensor) throws -> UnsafeMutableBufferPointer<Float>? {
        UnsafeMutableBufferPointer(start: try tensor.floats("hostFloats"), count: tensor.elementCount)
    }

    public func synchronize() throws {}

    /// The CPU runs work as it is issued; there is nothing to record.
    public func record(_ body: () throws -> Void) throws -> (any RecordedWork)? { nil }

    /// A scratch area of at least `bytes`, reused across calls.
    func scratch(bytes: Int) throws -> UnsafeMutableRawPointer {
        if let scratch, scratch.byteCount >= bytes { return scratch.pointer }
        let grown = try CPUBuffer(byteCount: bytes)
        scratch = grown
        return grown.pointer
    }
}
