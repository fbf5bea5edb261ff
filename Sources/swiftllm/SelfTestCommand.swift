import ArgumentParser
import Foundation
import SwiftLLM

/// Checks a backend against the CPU reference: every op on random inputs, then whole
/// models (tiny fixtures, optionally a GGUF) decoding greedily on both.
struct SelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest", abstract: "Check every kernel and whole models on a device against the CPU backend.")

    @Option(name: .long, help: "cuda or cpu (cpu checks the harness against a second CPU backend).")
    var device: String = "cuda"

    @Option(name: .long, help: "CUDA device ordinal.")
    var gpu: Int = 0

    @Option(name: .long, help: "Model folders or GGUF files to compare end to end (repeatable).")
    var model: [String] = []

    @Option(name: .long, help: "Prompt ids per model: a reference.json beside each tiny model is used when present; this file (the SmolLM2 fixture's reference.json) supplies prompts for GGUF models.")
    var prompts: String?

    @Option(name: .long, help: "Greedy decode steps per prompt.")
    var steps: Int = 32

    @Option(name: .long, help: "Write the device's logits of every model step to this JSON file (for comparison with other references).")
    var dumpLogits: String?

    @Flag(name: .long, help: "Also compare the models with an e4m3 (fp8) KV cache on the device, at e4m3's tolerance.")
    var e4m3Cache = false

    @Flag(name: .long, help: "Smaller op cases (fast).")
    var quick = false

    func run() throws {
        let reference = try CPUBackend(options: .init(threads: CPUInfo.coreCount))
        let candidate: any Backend
        switch device {
        case "cuda": candidate = try CUDABackend(deviceOrdinal: gpu)
        case "cpu": candidate = try CPUBackend(options: .init(threads: CPUInfo.coreCount))
        default: throw ValidationError("--device must be cuda or cpu, got '\(device)'")
        }
        print("Candidate: \(candidate.deviceDescription)")
        let rows = BackendSelfTest.run(reference: reference, candidate: candidate, size: quick ? .quick : .full)
        print(SelfTestRow.table(rows))
        var failures = rows.filter { !$0.passed }.count
        print("ops: \(rows.count - failures) passed, \(failures) failed")

        var dump = [String: Any]()
        // An e4m3 cache rounds every key and value to 3 mantissa bits (bf16 keeps 7):
        // logits move by several times a bf16 cache's error.
        let caches: [(suffix: String, type: DType?, parity: ModelParity)] =
            [("", nil, ModelParity())] + (e4m3Cache ? [(" (e4m3 cache)", .f8_e4m3, ModelParity(logitTolerance: 0.1, tieTolerance: 0.1))] : [])
        for path in model {
            for (baseName, prompt) in try promptSets(for: path) {
                for (suffix, cacheType, parity) in caches {
                    let name = baseName + suffix
                    let report = try parity.compare(
                        name: name, reference: SequenceProbe(path: path, backend: CPUBackend(options: .init(threads: CPUInfo.coreCount, exactMatmul: true)), contextTokens: prompt.count + steps + 16),
                        candidate: SequenceProbe(path: path, backend: candidate, contextTokens: prompt.count + steps + 16, cacheType: cacheType),
                        prompt: prompt, steps: steps)
                    let divergence = report.divergence.map { "diverged at step \($0.step)\($0.nearTie ? " (near-tie)" : " (NOT a near-tie)")" } ?? "same \(steps) tokens"
                    print(String(format: "%@ %@: prefill logits error %.4f of range, %@", report.passed ? "PASS" : "FAIL", name, report.prefillError, divergence))
                    if !report.passed { failures += 1 }
                    dump[name] = ["prompt": prompt, "tokens": report.candidateTokens, "reference_tokens": report.referenceTokens, "logits": report.candidateLogits]
                }
            }
        }
        if let dumpLogits {
            try JSONSerialization.data(withJSONObject: dump).write(to: URL(fileURLWithPath: dumpLogits))
        }
        print("selftest: \(failures == 0 ? "passed" : "\(failures) failed")")
        if failures > 0 { throw ExitCode(1) }
    }

    /// Prompts for one model: a tiny fixture's `reference.json` (its input ids), or the
    /// `--prompts` file's prompt ids (the SmolLM2 fixture format).
    func promptSets(for path: String) throws -> [(String, [Int])] {
        let base = URL(fileURLWithPath: path).lastPathComponent
        let local = URL(fileURLWithPath: path).appendingPathComponent("reference.json")
        if let data = FileManager.default.contents(atPath: local.path),
           let object = try JSONSerialization.jsonObject(with: data) as? [String: Any], let ids = object["input_ids"] as? [Int] {
            return [(base, ids)]
        }
        guard let prompts, let data = FileManager.default.contents(atPath: prompts),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let list = object["prompts"] as? [[String: Any]] else {
            throw ValidationError("no prompts for \(path): give --prompts with a reference.json that has a 'prompts' list")
        }
        return list.compactMap { entry in
            guard let ids = entry["prompt_ids"] as? [Int] else { return nil }
            return ("\(base)/\(entry["name"] as? String ?? "?")", ids)
        }
    }
}
