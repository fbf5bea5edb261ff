import Foundation
import LLMRuntime
import Testing
@testable import LLMCPU

/// `zero` is how a server makes its lazily mapped KV cache resident at start.
@Suite("CPU zero fill")
struct CPUZeroTests {
    /// Pages of `tensor` the kernel reports resident (mincore).
    static func residentPages(_ tensor: Tensor) throws -> (resident: Int, total: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = Int(bitPattern: try tensor.cpuPointer("test"))
        let first = start / page * page
        let count = (start + tensor.byteCount - first + page - 1) / page
        var flags = [UInt8](repeating: 0, count: count)
        guard mincore(UnsafeMutableRawPointer(bitPattern: first), count * page, &flags) == 0 else {
            throw RuntimeError.invalidArgument(op: "mincore", reason: "errno \(errno)")
        }
        return (flags.filter { $0 & 1 != 0 }.count, count)
    }

    @Test("zero clears every byte and makes a lazily mapped buffer resident")
    func zeroMakesResident() throws {
        let backend = try CPUBackend(options: .init(threads: 1))
        // 16 MiB. Whether calloc hands back fresh (unmapped) pages depends on what the
        // process freed before, so only the state after `zero` is asserted.
        let tensor = try backend.allocate(shape: [4 << 20], dtype: .f32)
        let ones = [Float](repeating: 1, count: 1000)
        try ones.withUnsafeBytes { source in
            try backend.write(source, to: Tensor(buffer: tensor.buffer, shape: [1000], dtype: .f32))
        }
        try backend.zero(tensor)
        let after = try Self.residentPages(tensor)
        #expect(after.resident == after.total)
        let values = try backend.readFloats(tensor)
        #expect(values.allSatisfy { $0 == 0 })
    }
}
