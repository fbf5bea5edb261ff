import Foundation
import SwiftLLM

/// The figures of one throughput run, as a table for people and JSON for scripts.
struct ThroughputReport {
    var requests: Int
    var seconds: Double
    var inputTokens: Int
    var outputTokens: Int
    var timeToFirstToken: [Double]
    var interToken: [Double]
    var steps: Int
    var computedTokens: Int
    var preemptions: Int
    var prefixHitRate: Double
    var device: String
    var kvCache: String
    var maxSequences: Int
    var peakResidentMiB: Double
    var phases: StepPhaseSeconds

    init(results: [GenerationResult], seconds: Double, engine before: EngineMetrics, after: EngineMetrics, llm: LLM, peakResidentMiB: Double) {
        requests = results.count
        self.seconds = seconds
        inputTokens = results.reduce(0) { $0 + $1.usage.promptTokens }
        outputTokens = results.reduce(0) { $0 + $1.tokenIDs.count }
        timeToFirstToken = results.map(\.timings.prefillSeconds).sorted()
        interToken = results.flatMap(\.timings.interTokenSeconds).sorted()
        steps = after.steps - before.steps
        computedTokens = after.computedTokens - before.computedTokens
        preemptions = after.preemptions - before.preemptions
        let queried = after.prefixQueriedTokens - before.prefixQueriedTokens
        prefixHitRate = queried > 0 ? Double(after.prefixHitTokens - before.prefixHitTokens) / Double(queried) : 0
        device = llm.backend.deviceDescription
        kvCache = llm.kvCachePlan.description
        maxSequences = llm.engineOptions.maxSequences
        self.peakResidentMiB = peakResidentMiB
        phases = after.stepPhases.since(before.stepPhases)
    }

    /// Mean milliseconds per step of each phase.
    var phaseMilliseconds: [(String, Double)] {
        let perStep = steps > 0 ? 1000 / Double(steps) : 0
        return [("schedule", phases.schedule), ("batch", phases.buildBatch), ("forward", phases.forward),
                ("sample", phases.sample), ("finish", phases.finish)].map { ($0.0, $0.1 * perStep) }
    }

    var requestsPerSecond: Double { Double(requests) / seconds }
    var inputTokensPerSecond: Double { Double(inputTokens) / seconds }
    var outputTokensPerSecond: Double { Double(outputTokens) / seconds }

    /// The value below which `p` percent of the sorted values lie (nearest rank).
    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
        return sorted[min(max(rank, 0), sorted.count - 1)]
    }

    static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

    var table: String {
        func ms(_ v: Double) -> String { String(format: "%.2f", v * 1000) }
        let rows: [(String, String)] = [
            ("device", device), ("kv cache", kvCache), ("max sequences", "\(maxSequences)"),
            ("requests", "\(requests)"), ("wall time (s)", String(format: "%.3f", seconds)),
            ("requests/s", String(format: "%.3f", requestsPerSecond)),
            ("input tokens/s", String(format: "%.1f", inputTokensPerSecond)),
            ("output tokens/s", String(format: "%.1f", outputTokensPerSecond)),
            ("total tokens/s", String(format: "%.1f", Double(inputTokens + outputTokens) / seconds)),
            ("TTFT mean / p50 / p90 / p99 (ms)", [Self.mean(timeToFirstToken), Self.percentile(timeToFirstToken, 50),
                                                   Self.percentile(timeToFirstToken, 90), Self.percentile(timeToFirstToken, 99)].map(ms).joined(separator: " / ")),
            ("ITL mean / p50 / p90 / p99 (ms)", [Self.mean(interToken), Self.percentile(interToken, 50), Self.percentile(interToken, 90),
                                                  Self.percentile(interToken, 99)].map(ms).joined(separator: " / ")),
            ("engine steps", "\(steps) (\(String(format: "%.1f", steps > 0 ? Double(computedTokens) / Double(steps) : 0)) tokens/step)"),
            ("step phases (ms/step)", phaseMilliseconds.map { "\($0.0) \(String(format: "%.2f", $0.1))" }.joined(separator: ", ")),
            ("preemptions", "\(preemptions)"), ("prefix cache hit rate", String(format: "%.1f%%", 100 * prefixHitRate)),
            ("peak RSS (MiB)", String(format: "%.0f", peakResidentMiB)),
        ]
        let width = rows.map(\.0.count).max() ?? 0
        return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + " | " + $0.1 }.joined(separator: "\n")
    }

    var json: Data {
        let object: [String: Any] = [
            "device": device, "kv_cache": kvCache, "max_sequences": maxSequences, "requests": requests, "seconds": seconds,
            "input_tokens": inputTokens, "output_tokens": outputTokens, "requests_per_s": requestsPerSecond,
            "input_tokens_per_s": inputTokensPerSecond, "output_tokens_per_s": outputTokensPerSecond,
            "ttft_ms": ["mean": Self.mean(timeToFirstToken) * 1000, "p50": Self.percentile(timeToFirstToken, 50) * 1000,
                        "p90": Self.percentile(timeToFirstToken, 90) * 1000, "p99": Self.percentile(timeToFirstToken, 99) * 1000],
            "itl_ms": ["mean": Self.mean(interToken) * 1000, "p50": Self.percentile(interToken, 50) * 1000,
                       "p90": Self.percentile(interToken, 90) * 1000, "p99": Self.percentile(interToken, 99) * 1000],
            "steps": steps, "computed_tokens": computedTokens, "preemptions": preemptions, "prefix_hit_rate": prefixHitRate,
            "peak_rss_mib": peakResidentMiB,
            "step_phase_ms": Dictionary(uniqueKeysWithValues: phaseMilliseconds),
        ]
        return (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
    }
}
