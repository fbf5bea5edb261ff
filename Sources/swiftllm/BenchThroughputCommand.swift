import ArgumentParser
import Foundation
import SwiftLLM

/// Offline throughput: N requests submitted at once and batched by the engine, from
/// synthetic token ids (seeded) or a JSONL file of prompts, as vLLM's
/// `benchmark_throughput` does. Reports requests/s, input and output tokens/s, and the
/// percentiles of time to first token and inter-token latency.
struct BenchThroughputCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "throughput", abstract: "Measure the throughput of many requests batched.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Requests to run.")
    var numRequests: Int = 16

    @Option(name: .long, help: "Prompt tokens of each synthetic request.")
    var inputLen: Int = 128

    @Option(name: .long, help: "Tokens each request generates (EOS ignored), unless its JSONL line says otherwise.")
    var outputLen: Int = 128

    @Option(name: .long, help: "JSONL file, one request a line: {\"prompt\": text} or {\"prompt_token_ids\": [ids]}, optional \"output_len\".")
    var dataset: String?

    @Option(name: .long, help: "Seed of the synthetic token ids.")
    var seed: UInt64 = 0

    @Option(name: .long, help: "Write the figures as JSON to this file.")
    var jsonOutput: String?

    @Flag(name: .long, help: "Afterwards run every request alone and compare (greedy, top-5 logprobs): outputs may differ only at near-ties.")
    var checkBatchInvariance = false

    @Option(name: .long, help: "Largest logprob gap (nats) between two diverging tokens that counts as a near-tie.")
    var tieTolerance: Float = 0.5

    func run() throws {
        guard numRequests > 0, inputLen > 0, outputLen > 0 else { throw ValidationError("--num-requests, --input-len and --output-len must be positive") }
        // The dataset is read before the model loads, so a bad file fails at once.
        let fromDataset = try datasetRequests()
        let llm = try modelOptions.load()
        let requests = fromDataset ?? randomRequests(vocabSize: llm.model.spec.vocabSize)
        // A short warm-up, so one-time costs (kernel builds, first allocations) are not counted.
        _ = try llm.generate([GenerationRequest(prompt: .tokens([1, 2, 3, 4]), params: SamplingParams(temperature: 0, maxTokens: 4, ignoreEOS: true))])
        let before = llm.metrics()
        let start = EngineClock.now()
        let results = try llm.generate(requests)
        let seconds = EngineClock.now() - start
        let report = ThroughputReport(results: results, seconds: seconds, engine: before, after: llm.metrics(), llm: llm,
                                      peakResidentMiB: BenchCommand.peakResidentMiB())
        print(report.table)
        if let jsonOutput {
            try report.json.write(to: URL(fileURLWithPath: jsonOutput), options: .atomic)
            Terminal.note("Wrote \(jsonOutput)")
        }
        if checkBatchInvariance {
            let alone = try requests.map { try llm.generate($0) }
            let check = BatchInvarianceCheck(together: results, alone: alone, tolerance: tieTolerance)
            print(check.summary)
            if !check.passed { throw ExitCode(1) }
        }
    }

    /// One JSONL line of `--dataset`.
    struct DatasetLine: Decodable {
        var prompt: String?
        var prompt_token_ids: [Int]?
        var output_len: Int?
    }

    /// Greedy, ignoring end-of-sequence; the invariance check compares top-5 logprobs
    /// where outputs part.
    func params(_ tokens: Int) -> SamplingParams {
        SamplingParams(temperature: 0, maxTokens: tokens, ignoreEOS: true, logprobs: checkBatchInvariance ? 5 : nil)
    }

    /// `--num-requests` prompts of `--input-len` seeded random ids.
    func randomRequests(vocabSize: Int) -> [GenerationRequest] {
        var rng = SplitMix64(state: seed)
        let vocab = UInt64(vocabSize)
        return (0..<numRequests).map { _ in
            GenerationRequest(prompt: .tokens((0..<inputLen).map { _ in Int(rng.next() % vocab) }), params: params(outputLen))
        }
    }

    /// The first `--num-requests` lines of `--dataset`, or nil without one.
    func datasetRequests() throws -> [GenerationRequest]? {
        guard let dataset else { return nil }
        let text: String
        do { text = try String(contentsOfFile: dataset, encoding: .utf8) } catch {
            throw ValidationError("--dataset \(dataset): cannot be read as UTF-8 text (\((error as NSError).localizedDescription))")
        }
        var requests = [GenerationRequest]()
        for (number, line) in text.split(separator: "\n").enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let entry: DatasetLine
            do { entry = try JSONDecoder().decode(DatasetLine.self, from: Data(line.utf8)) } catch {
                throw ValidationError("\(dataset) line \(number + 1): not a JSON object with prompt or prompt_token_ids (\(error))")
            }
            let prompt: Prompt
            if let ids = entry.prompt_token_ids { prompt = .tokens(ids) } else if let text = entry.prompt { prompt = .text(text) } else {
                throw ValidationError("\(dataset) line \(number + 1): needs \"prompt\" or \"prompt_token_ids\"")
            }
            let outputTokens = entry.output_len ?? outputLen
            guard outputTokens > 0 else {
                throw ValidationError("\(dataset) line \(number + 1): output_len must be positive, got \(outputTokens)")
            }
            requests.append(GenerationRequest(prompt: prompt, params: params(outputTokens)))
            if requests.count == numRequests { break }
        }
        guard !requests.isEmpty else { throw ValidationError("\(dataset) holds no requests") }
        return requests
    }
}
