import ArgumentParser
import Foundation
import SwiftLLM

/// Measures one request's prefill and decode speed the way llama-bench does (pp N, tg M),
/// for each thread count, and the process's peak memory.
struct BenchLatencyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "latency", abstract: "Measure one request's prefill and decode tokens/s.")

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
        let parts = threadCounts.split(separator: ",", omittingEmptySubsequences: false)
        let counts = parts.compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard counts.count == parts.count, counts.allSatisfy({ $0 > 0 }) else {
            throw ValidationError("--thread-counts must list positive integers, comma separated; got '\(threadCounts)'")
        }
        guard promptTokens > 0, genTokens > 1, repeats > 0 else { throw ValidationError("--prompt-tokens, --gen-tokens (> 1) and --repeats must be positive") }
        for threads in counts {
            let llm = try modelOptions.load(threads: threads, prefixCaching: false)
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
            let peak = BenchCommand.peakResidentMiB()
            let (pp, tg, ttft) = (BenchCommand.median(prefill), BenchCommand.median(decode), Double(prompt.count) / BenchCommand.median(prefill))
            if json {
                print("{\"engine\":\"swiftllm\",\"device\":\"\(llm.backend.name)\",\"threads\":\(threads),\"prompt_tokens\":\(prompt.count),\"gen_tokens\":\(genTokens),"
                      + "\"prefill_tps\":\(pp),\"decode_tps\":\(tg),\"ttft_s\":\(ttft),\"peak_rss_mib\":\(peak)}")
            } else {
                print(String(format: "%@ | pp%d %.1f tokens/s (TTFT %.1f ms) | tg%d %.1f tokens/s | peak RSS %.0f MiB",
                             llm.backend.name == "cpu" ? "threads \(threads)" : llm.backend.deviceDescription,
                             prompt.count, pp, ttft * 1000, genTokens, tg, peak))
            }
            if let cuda = llm.backend as? CUDABackend {
                try Self.printLimits(cuda, llm: llm, promptTokens: prompt.count, decode: tg, ttft: ttft)
            }
        }
    }

    /// The device's limits measured now, and how close the run came to them: decode
    /// against weight bytes / copy bandwidth, prefill against matmul FLOPs / GEMM rate.
    /// A mixture-of-experts token reads only its experts, so both count active weights.
    static func printLimits(_ backend: CUDABackend, llm: LLM, promptTokens: Int, decode: Double, ttft: Double) throws {
        let limits = try HardwareLimits.measure(on: backend)
        let spec = llm.model.spec
        let weightBytes = Double(spec.activeParameterCount) * 2 // bf16
        let decodeLimit = limits.copyBandwidth / weightBytes
        // Linear-layer FLOPs (2 per weight per token) plus causal attention (QK and PV).
        let attention = 2.0 * Double(spec.layers) * Double(spec.queryHeads * spec.headDim) * Double(promptTokens) * Double(promptTokens)
        let prefillFlops = 2 * Double(spec.activeParameterCount) * Double(promptTokens) + attention
        let ttftLimit = prefillFlops / limits.gemmFlops
        print("limits: \(limits)")
        let what = spec.inactiveExpertParameters > 0 ? "GB of weights a token reads: shared and its top-k experts" : "GB of weights"
        print(String(format: "decode: %.1f tokens/s = %.0f%% of the bandwidth limit %.1f tokens/s (%.2f %@)",
                     decode, 100 * decode / decodeLimit, decodeLimit, weightBytes / 1e9, what))
        print(String(format: "prefill: TTFT %.1f ms at %d tokens = %.2fx the GEMM-rate limit %.1f ms",
                     ttft * 1000, promptTokens, ttft / ttftLimit, ttftLimit * 1000))
    }
}
