import Foundation
import LLMRuntime
import Testing
@testable import LLMCUDA

/// Device tests: run where the driver sees a GPU (skipped in GPU-less CI; set
/// SWIFTLLM_REQUIRE_GPU=1 to make a missing GPU a failure).
@Suite("CUDA device and backend core", .serialized, .enabled(if: GPU.shouldRun, "needs an NVIDIA GPU"))
struct GPUTests {
    let backend: CUDABackend

    init() throws {
        backend = try CUDABackend(deviceOrdinal: 0)
    }

    private func read<T>(_ tensor: Tensor, as: T.Type) throws -> [T] {
        let count = tensor.byteCount / MemoryLayout<T>.stride
        return try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            try backend.read(tensor, into: UnsafeMutableRawBufferPointer(buffer))
            initialized = count
        }
    }

    @Test("device facts and memory")
    func deviceFacts() throws {
        let info = backend.device.info
        #expect(info.computeCapability >= .minimum)
        #expect(backend.deviceDescription.contains(info.arch))
        let (free, total) = try backend.device.memoryInfo()
        #expect(free > 0 && free <= total && total == info.totalMemory)
    }

    @Test("write and read back: small, chunked, and many small writes through the ring")
    func transfers() throws {
        let values = (0..<1000).map { Float($0) * 0.5 - 7 }
        #expect(try backend.readFloats(backend.tensor(values, shape: [10, 100])) == values)
        let ids: [Int32] = [3, -1, 7, Int32.max]
        #expect(try read(backend.tensor(ids, shape: [4]), as: Int32.self) == ids)

        // 40 MiB: more than the ring's 16 MiB chunks.
        let big = (0..<(10 << 20)).map { Float($0 % 9973) }
        #expect(try backend.readFloats(backend.tensor(big, shape: [big.count])) == big)

        // 300 writes of 256 KiB: the ring wraps several times while copies are queued.
        var tensors: [(Tensor, [Float])] = []
        for i in 0..<300 {
            let chunk = [Float](repeating: Float(i), count: 64 << 10)
            tensors.append((try backend.tensor(chunk, shape: [chunk.count]), chunk))
        }
        for (tensor, expected) in tensors { #expect(try backend.readFloats(tensor) == expected) }
    }

    @Test("allocate zero-fills; the allocator reuses freed blocks and trims its cache")
    func allocator() throws {
        let zeros = try backend.allocate(shape: [3, 333], dtype: .f32)
        #expect(try backend.readFloats(zeros) == [Float](repeating: 0, count: 999))
        let allocator = backend.allocator
        do { _ = try backend.allocate(shape: [5 << 20], dtype: .bf16) }
        let before = allocator.statistics
        #expect(before.bytesCached >= CUDAAllocator.sizeClass(for: 10 << 20))
        do { _ = try backend.allocate(shape: [5 << 20], dtype: .bf16) }
        let after = allocator.statistics
        #expect(after.deviceAllocations == before.deviceAllocations)
        #expect(after.cacheHits == before.cacheHits + 1)
        #expect(after.peakBytesInUse >= after.bytesInUse)
        try allocator.trim()
        #expect(allocator.statistics.bytesCached == 0)
    }

    @Test("upload converts f32 and f16 to bf16 and keeps bf16")
    func upload() throws {
        let values: [Float] = [1, -2.5, 3.14159, 1e-3, 65504, -0.0, 1.0 / 3]
        let f32 = try backend.upload(weight: .f32(values, shape: [values.count]))
        #expect(f32.dtype == .bf16)
        #expect(try read(f32, as: UInt16.self) == values.map(BFloat16Conversion.bf16Bits))

        let halves: [UInt16] = [0x3C00, 0xC000, 0x3555, 0x0001, 0x7BFF]
        let f16 = try halves.withUnsafeBytes {
            try backend.upload(weight: HostTensor(shape: [5], dtype: .f16, data: $0.baseAddress!, owner: nil))
        }
        #expect(try read(f16, as: UInt16.self) == halves.map { BFloat16Conversion.bf16Bits(BFloat16Conversion.float(f16: $0)) })

        let bf16: [UInt16] = [0x3F80, 0x4049, 0xFF80]
        let kept = try bf16.withUnsafeBytes {
            try backend.upload(weight: HostTensor(shape: [3], dtype: .bf16, data: $0.baseAddress!, owner: nil))
        }
        #expect(try read(kept, as: UInt16.self) == bf16)
        #expect(throws: RuntimeError.self) {
            try [UInt8](repeating: 0, count: 18).withUnsafeBytes {
                try backend.upload(weight: HostTensor(shape: [32], dtype: .q4_0, data: $0.baseAddress!, owner: nil))
            }
        }
    }

    @Test("fillUniform draws the CPU backend's sequence")
    func fillUniform() throws {
        let tensor = try backend.allocate(shape: [4099], dtype: .f32)
        try backend.fillUniform(tensor, seed: 42, low: -0.5, high: 0.25)
        var rng = SplitMix64(state: 42)
        let expected = (0..<4099).map { _ in -0.5 + 0.75 * Float(rng.next() >> 40) / Float(1 << 24) }
        #expect(try backend.readFloats(tensor) == expected)
        let bf16 = try backend.allocate(shape: [4099], dtype: .bf16)
        try backend.fillUniform(bf16, seed: 42, low: -0.5, high: 0.25)
        #expect(try read(bf16, as: UInt16.self) == expected.map(BFloat16Conversion.bf16Bits))
    }

    @Test("kernels: arguments of every kind, bf16 headers, more than 48 KiB of shared memory")
    func launches() throws {
        let n = 1000
        let out = try backend.allocate(shape: [n], dtype: .f32)
        try backend.launch(family: "smoke", kernel: "fill_f32", grid: ((n + 255) / 256, 1, 1), block: (256, 1, 1),
                           arguments: [.tensor(out), .float(2.5), .int32(Int32(n))])
        #expect(try backend.readFloats(out) == [Float](repeating: 2.5, count: n))

        let halves = try backend.allocate(shape: [n], dtype: .bf16)
        try backend.launch(family: "smoke", kernel: "fill_bf16", grid: ((n + 255) / 256, 1, 1), block: (256, 1, 1),
                           arguments: [.tensor(halves), .float(-1.5), .int32(Int32(n))])
        #expect(try read(halves, as: UInt16.self) == [UInt16](repeating: 0xBFC0, count: n))

        let x = try backend.tensor((0..<n).map(Float.init), shape: [n])
        try backend.launch(family: "smoke", kernel: "axpb_f32", grid: ((n + 127) / 128, 1, 1), block: (128, 1, 1),
                           arguments: [.tensor(x), .float(2), .float(-3), .int64(Int64(n)), .tensor(out)])
        #expect(try backend.readFloats(out) == (0..<n).map { 2 * Float($0) - 3 })

        let count = 16384   // 64 KiB of floats
        let values = try backend.tensor([Float](repeating: 0.25, count: count), shape: [count])
        let sum = try backend.allocate(shape: [1], dtype: .f32)
        try backend.launch(family: "smoke", kernel: "shared_sum_f32", grid: (1, 1, 1), block: (256, 1, 1),
                           sharedMemoryBytes: count * 4, arguments: [.tensor(values), .int32(Int32(count)), .tensor(sum)])
        #expect(try backend.readFloats(sum) == [Float(count) / 4])
    }

    @Test("launch errors are typed")
    func launchErrors() throws {
        let function = try backend.kernels.function(family: "smoke", name: "fill_f32")
        #expect(try backend.kernels.function(family: "smoke", name: "fill_f32") == function)
        #expect(throws: CUDAError.kernelNotFound(family: "smoke", name: "no_such_kernel")) {
            try backend.kernels.function(family: "smoke", name: "no_such_kernel")
        }
        #expect(throws: CUDAError.self) {
            try backend.device.launch(function, grid: (1, 1, 1), block: (2048, 1, 1), arguments: [.address(0), .float(0), .int32(0)])
        }
        #expect(throws: CUDAError.self) {
            try backend.device.launch(function, grid: (1, 1, 1), block: (32, 1, 1),
                                      sharedMemoryBytes: backend.device.info.sharedMemoryPerBlockOptin + 1,
                                      arguments: [.address(0), .float(0), .int32(0)])
        }
        #expect(throws: CUDAError.self) { try backend.kernels.function(family: "no_such_family", name: "k") }
    }

    @Test("compiled kernels are cached on disk and reloaded")
    func kernelDiskCache() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftllm-kcache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var env = LibrarySearchEnvironment.current
        env.variables["SWIFTLLM_KERNEL_CACHE"] = directory
        env.variables["SWIFTLLM_KERNEL_DIR"] = nil
        let first = KernelLibrary(device: backend.device, environment: env)
        _ = try first.function(family: "smoke", name: "fill_f32")
        #expect(first.origin(of: "smoke") == .compiled)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".cubin") }.count == 1)
        let second = KernelLibrary(device: backend.device, environment: env)
        _ = try second.function(family: "smoke", name: "fill_f32")
        #expect(second.origin(of: "smoke") == .diskCache)
    }

    @Test("events time queued work")
    func events() throws {
        let start = try CUDAEvent(device: backend.device, timing: true)
        let end = try CUDAEvent(device: backend.device, timing: true)
        let out = try backend.allocate(shape: [1 << 20], dtype: .f32)
        try start.record()
        try backend.launch(family: "smoke", kernel: "fill_f32", grid: (4096, 1, 1), block: (256, 1, 1),
                           arguments: [.tensor(out), .float(1), .int32(1 << 20)])
        try end.record()
        try end.synchronize()
        #expect(try end.isComplete())
        #expect(try end.elapsedMilliseconds(since: start) >= 0)
    }

    @Test("cuBLASLt: out = x · wᵀ (+ bias) for bf16 in, f32 and bf16 out, unaligned views")
    func matmul() throws {
        let (rows, m, k) = (6, 37, 72)   // 144-byte rows: a view from row 1 is only 16-byte aligned
        var rng = SplitMix64(state: 9)
        func random(_ count: Int) -> [Float] {
            (0..<count).map { _ in BFloat16Conversion.float(bf16: BFloat16Conversion.bf16Bits(Float(rng.next() >> 40) / Float(1 << 24) - 0.5)) }
        }
        let xHost = random(rows * k), wHost = random(m * k), biasHost = random(m)
        let x = try backend.upload(weight: .f32(xHost, shape: [rows, k])).rows(1..<rows)
        let w = try backend.upload(weight: .f32(wHost, shape: [m, k]))
        let bias = try backend.upload(weight: .f32(biasHost, shape: [m]))
        let n = rows - 1
        func reference(withBias: Bool) -> [Double] {
            (0..<n).flatMap { i in
                (0..<m).map { j in
                    (0..<k).reduce(withBias ? Double(biasHost[j]) : 0) { $0 + Double(xHost[(i + 1) * k + $1]) * Double(wHost[j * k + $1]) }
                }
            }
        }
        let blas = try backend.blasLt()
        let out32 = try backend.allocate(shape: [n, m], dtype: .f32)
        try blas.matmul(x: x, weight: w, out: out32)
        let got32 = try backend.readFloats(out32)
        for (a, b) in zip(got32, reference(withBias: false)) { #expect(abs(Double(a) - b) < 1e-3, "\(a) vs \(b)") }

        let out16 = try backend.allocate(shape: [n, m], dtype: .bf16)
        try blas.matmul(x: x, weight: w, bias: bias, out: out16)
        let got16 = try read(out16, as: UInt16.self).map { Double(BFloat16Conversion.float(bf16: $0)) }
        for (a, b) in zip(got16, reference(withBias: true)) { #expect(abs(a - b) <= 0.01 * max(1, abs(b)), "\(a) vs \(b)") }
        #expect(blas.planCount == 2)
        try blas.matmul(x: x, weight: w, out: out32)
        #expect(blas.planCount == 2)
    }
}
