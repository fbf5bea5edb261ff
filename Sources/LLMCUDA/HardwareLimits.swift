import LLMRuntime

/// The GPU's own limits, measured in the same run as a benchmark so figures are
/// compared with this device on this day: device-to-device copy bandwidth (the decode
/// limit: weight bytes / bandwidth) and the bf16 GEMM rate through cuBLASLt (the prefill
/// limit: FLOPs / rate).
public struct HardwareLimits: Sendable, CustomStringConvertible {
    /// Bytes per second moved by a device-to-device copy (read + write counted).
    public var copyBandwidth: Double
    /// bf16 multiply-add FLOPs per second of a large square GEMM.
    public var gemmFlops: Double

    public var description: String {
        String(format: "copy bandwidth %.0f GB/s, bf16 GEMM %.0f TFLOP/s", copyBandwidth / 1e9, gemmFlops / 1e12)
    }

    public static func measure(on backend: CUDABackend, copyBytes: Int = 2 << 30, gemmSize: Int = 8192) throws -> HardwareLimits {
        let device = backend.device
        let start = try CUDAEvent(device: device, timing: true), end = try CUDAEvent(device: device, timing: true)
        func time(_ repeats: Int, _ body: () throws -> Void) throws -> Double {
            try body() // warm-up
            try start.record()
            for _ in 0..<repeats { try body() }
            try end.record()
            try end.synchronize()
            return Double(try end.elapsedMilliseconds(since: start)) / 1000 / Double(repeats)
        }
        let source = try backend.allocate(shape: [copyBytes], dtype: .f8_e4m3)
        let destination = try backend.allocate(shape: [copyBytes], dtype: .f8_e4m3)
        let copySeconds = try time(10) {
            try device.copy(from: source.deviceAddress("limits"), to: destination.deviceAddress("limits"), bytes: copyBytes)
        }
        let n = gemmSize
        let a = try backend.allocate(shape: [n, n], dtype: .bf16), b = try backend.allocate(shape: [n, n], dtype: .bf16)
        let c = try backend.allocate(shape: [n, n], dtype: .bf16)
        try backend.fillUniform(a, seed: 1, low: -1, high: 1)
        try backend.fillUniform(b, seed: 2, low: -1, high: 1)
        let blas = try backend.blasLt()
        let gemmSeconds = try time(20) { try blas.matmul(x: a, weight: b, out: c) }
        return HardwareLimits(copyBandwidth: 2 * Double(copyBytes) / copySeconds, gemmFlops: 2 * Double(n * n * n) / gemmSeconds)
    }
}
