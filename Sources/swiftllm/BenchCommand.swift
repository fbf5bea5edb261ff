import ArgumentParser
import Foundation
import SwiftLLM

/// Measures prefill and decode speed the way llama-bench does (pp N, tg M), for each
/// thread count, and the process's peak memory.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure prefill and decode tokens/s.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Thread counts to measure, comma separated.")
    var threadCounts: String = "1,2"

    @Option(name: .long, help: "Prompt tokens for the prefill measurement.")
    var promptTokens: Int = 128

    @Option(name: .long, help: "Tokens to generate for the decode measurement.")
    var genTokens: Int = 64

    @Option(name: .long, help: "Repetitions; the median is reported.")
    var repeats: Int = 3

    @Flag(name: .long, help: "Print one JSON object per measurement instead of a table.")
    var json = false

    func run() throws {
        let counts = threadCounts.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 }) else { throw ValidationError("--thread-counts must list positive integers") }
        guard promptTokens > 0, genTokens > 1, repeats > 0 else { throw ValidationError("--prompt-tokens, --gen-tokens (> 1) and --repeats must be positive") }
        for threads in counts {
            let llm = try modelOptions.load(threads: threads)
            // A fixed, in-vocabulary prompt: the ids of repeated English text.
            var prompt = llm.tokenizer.encode(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: promptTokens / 4 + 1), addSpecialTokens: false)
            prompt = Array(prompt.prefix(promptTokens))
            let params = SamplingParams(temperature: 0, maxTokens: genTokens, ignoreEOS: true)
            _ = try llm.generate(GenerationRequest(prompt: .tokens(Array(prompt.prefix(8))), params: SamplingParams(temperature: 0, maxTokens: 4)))
            var prefill = [Double](), decode = [Double]()
            for _ in 0..<repeats {
                let result = try llm.generate(GenerationRequest(prompt: .tokens(prompt), params: params))
                prefill.append(result.timings.prefillTokensPerSecond)
                decode.append(result.timings.decodeTokensPerSecond)
            }
            let peak = Self.peakResidentMiB()
            if json {
                print("{\"engine\":\"swiftllm\",\"threads\":\(threads),\"prompt_tokens\":\(prompt.count),\"gen_tokens\":\(genTokens),"
                      + "\"prefill_tps\":\(Self.median(prefill)),\"decode_tps\":\(Self.median(decode)),\"peak_rss_mib\":\(peak)}")
            } else {
                print(String(format: "threads %d | pp%d %.1f tokens/s | tg%d %.1f tokens/s | peak RSS %.0f MiB",
                             threads, prompt.count, Self.median(prefill), genTokens, Self.median(decode), peak))
            }
        }
    }

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
