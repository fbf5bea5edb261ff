import LLMCPU
import Testing
import Foundation
@testable import SwiftLLM

@Suite struct TmpSelfTestPrint {
    @Test func printFull() throws {
        let start = Date()
        let rows = BackendSelfTest.run(reference: try CPUBackend(options: .init(threads: 2)),
                                       candidate: try CPUBackend(options: .init(threads: 2)), size: ProcessInfo.processInfo.environment["FULL"] != nil ? .full : .quick)
        print(SelfTestRow.table(rows))
        print("seconds", Date().timeIntervalSince(start))
    }
}
