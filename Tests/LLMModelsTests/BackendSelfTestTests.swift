import Foundation
import LLMCPU
import LLMCUDA
import SwiftLLM
import Testing

/// The self-test harness itself, run CPU against CPU: every case must run and match
/// (the two backends compute identically), so a failure on a GPU is the GPU's.
@Suite("Backend self test")
struct BackendSelfTestTests {
    @Test("CPU against CPU: every op runs and every case passes")
    func cpuAgainstCPU() throws {
        let rows = BackendSelfTest.run(reference: try CPUBackend(options: .init(threads: 2)),
                                       candidate: try CPUBackend(options: .init(threads: 1)), size: .quick)
        let ops = Set(rows.map(\.op))
        for op in ["embedding", "rmsNorm", "rmsNormHeads", "linear", "rope", "writeKV", "ropeAndWriteKV", "attention",
                   "gatedActivation", "add", "gatherRows", "sample", "fillUniform", "linear (q, k, v)", "gatedLinear", "attentionInputs",
                   "attentionInputs = separate ops", "sandwichNorm", "sandwichNorm = separate ops"] {
            #expect(ops.contains(op), "no \(op) case")
        }
        #expect(rows.count > 40)
        for row in rows where !row.passed { Issue.record("\(row.op) \(row.name): \(row.note ?? "error \(row.maxRelativeError)")") }
        #expect(SelfTestRow.table(rows).contains("\(rows.count)/\(rows.count) cases passed"))
    }

    @Test("the table marks failures and explains them")
    func tableFormatting() {
        let rows = [SelfTestRow(op: "add", name: "1x1", maxRelativeError: 0, tolerance: 1e-2, hasNaN: false, passed: true),
                    SelfTestRow(op: "attention", name: "decode", maxRelativeError: .nan, tolerance: 2e-2, hasNaN: true, passed: false, note: "boom")]
        let table = SelfTestRow.table(rows)
        #expect(table.contains("FAIL"))
        #expect(table.contains("boom"))
        #expect(table.contains("1/2 cases passed"))
    }
}

/// The real check: the CUDA backend against the CPU backend, at full size. Runs where a
/// GPU can be opened (skipped otherwise; SWIFTLLM_REQUIRE_GPU=1 makes a missing GPU a
/// failure). Prints the self-test table.
@Suite("Backend self test on the GPU", .serialized)
struct GPUSelfTestTests {
    @Test("CUDA against CPU: every case passes")
    func cudaAgainstCPU() throws {
        let gpu: CUDABackend
        do {
            gpu = try CUDABackend(deviceOrdinal: 0)
        } catch {
            if ProcessInfo.processInfo.environment["SWIFTLLM_REQUIRE_GPU"] == "1" { Issue.record("no GPU: \(error)") }
            return
        }
        print("self test on \(gpu.deviceDescription)")
        let rows = BackendSelfTest.run(reference: try CPUBackend(), candidate: gpu, size: .full)
        print(SelfTestRow.table(rows))
        try gpu.checkKernelStatus()
        for row in rows where !row.passed { Issue.record("\(row.op) \(row.name): error \(row.maxRelativeError) > \(row.tolerance)\(row.note.map { ": \($0)" } ?? "")") }
    }
}
