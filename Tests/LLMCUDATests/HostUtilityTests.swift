import Foundation
import LLMRuntime
import Testing
@testable import LLMCUDA

@Suite("Host-side helpers")
struct HostUtilityTests {
    @Test("SHA-256 test vectors")
    func sha256() {
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256.hex(String(repeating: "a", count: 1000)) == "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3")
    }

    @Test("kernel cache keys change with every input and round-trip on disk")
    func diskCache() throws {
        let key = KernelDiskCache.key(source: "s", headers: ["h.cuh": "x"], arch: "sm_90a", options: ["-a"], compilerVersion: "13.0")
        #expect(key.count == 64)
        #expect(key == KernelDiskCache.key(source: "s", headers: ["h.cuh": "x"], arch: "sm_90a", options: ["-a"], compilerVersion: "13.0"))
        for other in [
            KernelDiskCache.key(source: "t", headers: ["h.cuh": "x"], arch: "sm_90a", options: ["-a"], compilerVersion: "13.0"),
            KernelDiskCache.key(source: "s", headers: ["h.cuh": "y"], arch: "sm_90a", options: ["-a"], compilerVersion: "13.0"),
            KernelDiskCache.key(source: "s", headers: ["h.cuh": "x"], arch: "sm_80", options: ["-a"], compilerVersion: "13.0"),
            KernelDiskCache.key(source: "s", headers: ["h.cuh": "x"], arch: "sm_90a", options: ["-b"], compilerVersion: "13.0"),
            KernelDiskCache.key(source: "s", headers: ["h.cuh": "x"], arch: "sm_90a", options: ["-a"], compilerVersion: "12.8"),
        ] { #expect(other != key) }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swiftllm-cache-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let cache = KernelDiskCache(environment: FakeFileSystem().environment(["SWIFTLLM_KERNEL_CACHE": directory]))
        #expect(cache.directory == directory)
        #expect(cache.read(key: key) == nil)
        cache.write(key: key, cubin: [1, 2, 3])
        #expect(cache.read(key: key) == [1, 2, 3])
        #expect(KernelDiskCache(environment: FakeFileSystem().environment(["SWIFTLLM_KERNEL_CACHE": "off"])).directory == nil)
        #expect(KernelDiskCache(environment: FakeFileSystem().environment()).directory == "/home/u/.cache/swiftllm/kernels")
    }

    @Test("f32 → bf16 rounds to nearest even and keeps specials")
    func bfloat16() {
        let b = BFloat16Conversion.bf16Bits
        #expect(b(1.0) == 0x3F80)
        #expect(b(-2.0) == 0xC000)
        #expect(b(Float(bitPattern: 0x3F80_8000)) == 0x3F80)   // tie, even below: down
        #expect(b(Float(bitPattern: 0x3F81_8000)) == 0x3F82)   // tie, odd below: up
        #expect(b(Float(bitPattern: 0x3F80_8001)) == 0x3F81)   // above the tie: up
        #expect(b(Float(bitPattern: 0x3F80_7FFF)) == 0x3F80)
        #expect(b(.infinity) == 0x7F80 && b(-.infinity) == 0xFF80)
        #expect(b(Float(bitPattern: 0x7F7F_FFFF)) == 0x7F80)   // max float rounds to infinity
        #expect(b(-0.0) == 0x8000)
        let nan = b(.nan)
        #expect(nan & 0x7F80 == 0x7F80 && nan & 0x007F != 0)
        #expect(BFloat16Conversion.float(bf16: 0x4049) == Float(bitPattern: 0x4049_0000))
    }

    @Test("f16 → f32 is exact, subnormals and specials included")
    func float16() {
        let f = BFloat16Conversion.float(f16:)
        #expect(f(0x3C00) == 1)
        #expect(f(0xC000) == -2)
        #expect(f(0x7BFF) == 65504)
        #expect(f(0x0001) == Float(sign: .plus, exponent: -24, significand: 1))
        #expect(f(0x03FF) == Float(0x3FF) * Float(sign: .plus, exponent: -24, significand: 1))
        #expect(f(0x7C00) == .infinity && f(0xFC00) == -.infinity)
        #expect(f(0x7E00).isNaN)
        #expect(f(0x8000).sign == .minus && f(0x8000) == 0)
        var out: UInt16 = 0
        var half: UInt16 = 0x3555   // 0.33325195...
        BFloat16Conversion.convert(f16: &half, to: &out, count: 1)
        #expect(out == BFloat16Conversion.bf16Bits(f(0x3555)))
    }

    @Test("allocator size classes: 512 B steps up to 1 MiB, 2 MiB steps above")
    func sizeClasses() {
        #expect(CUDAAllocator.sizeClass(for: 1) == 512)
        #expect(CUDAAllocator.sizeClass(for: 512) == 512)
        #expect(CUDAAllocator.sizeClass(for: 513) == 1024)
        #expect(CUDAAllocator.sizeClass(for: 1 << 20) == 1 << 20)
        #expect(CUDAAllocator.sizeClass(for: (1 << 20) + 1) == 2 << 20)
        #expect(CUDAAllocator.sizeClass(for: (2 << 20) + 1) == 4 << 20)
    }

    @Test("cuBLASLt plans assume only the alignment pointers have")
    func alignment() {
        #expect(BlasLtMatmul.alignment(0x7F00_0000_0000) == 256)
        #expect(BlasLtMatmul.alignment(0x7F00_0000_0040) == 64)
        #expect(BlasLtMatmul.alignment(0x7F00_0000_0002) == 2)
    }
}

@Suite("Kernel arguments")
struct KernelArgumentTests {
    @Test("values are stored in 8-byte slots with their C layout")
    func marshalling() throws {
        var slot = [UInt64](repeating: 0xFFFF_FFFF_FFFF_FFFF, count: 1)
        func stored(_ argument: KernelArgument) throws -> UInt64 {
            slot[0] = 0
            try slot.withUnsafeMutableBytes { try argument.store(at: $0.baseAddress!) }
            return slot[0]
        }
        #expect(try stored(.int32(-2)) == 0xFFFF_FFFE)
        #expect(try stored(.int64(-2)) == 0xFFFF_FFFF_FFFF_FFFE)
        #expect(try stored(.float(1)) == UInt64(Float(1).bitPattern))
        #expect(try stored(.uint64(1 << 40)) == 1 << 40)
        #expect(try stored(.pointer(CUdeviceptr(0x7F00_0000_1000))) == 0x7F00_0000_1000)
        let absent: Tensor? = nil
        #expect(try stored(.pointer(absent)) == 0)
        #expect(throws: RuntimeError.self) { try KernelArgument.int(1 << 40) }
    }

    final class ForeignBuffer: DeviceBuffer, @unchecked Sendable { let byteCount = 64 }

    @Test("tensor arguments resolve views and refuse tensors of other backends")
    func tensorAddresses() throws {
        let buffer = CUDABuffer(address: 0x1000, byteCount: 64, capacity: 512, allocator: nil)
        let tensor = Tensor(buffer: buffer, shape: [4, 4], dtype: .f32)
        #expect(try tensor.deviceAddress("test") == 0x1000)
        #expect(try tensor.rows(2..<4).deviceAddress("test") == 0x1020)
        #expect(throws: RuntimeError.self) { try Tensor(buffer: buffer, byteOffset: 16, shape: [4, 4], dtype: .f32).deviceAddress("test") }
        #expect(throws: RuntimeError.self) { try Tensor(buffer: ForeignBuffer(), shape: [4], dtype: .f32).deviceAddress("test") }
    }
}
