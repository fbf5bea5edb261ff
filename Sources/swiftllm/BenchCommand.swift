import ArgumentParser
import Foundation

/// Speed measurements: one request's latency (the default) or many requests' throughput.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure speed: one request's latency, or the throughput of many requests batched.",
        subcommands: [BenchLatencyCommand.self, BenchThroughputCommand.self], defaultSubcommand: BenchLatencyCommand.self)

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[sorted.count / 2]
    }

    /// VmHWM of this process from /proc (0 where /proc is absent).
    static func peakResidentMiB() -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kib = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kib / 1024
        }
        return 0
    }
}
