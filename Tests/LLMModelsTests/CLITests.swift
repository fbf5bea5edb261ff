import Foundation
import SwiftLLM
import Testing

/// The `swiftllm` binary as a user runs it: chat over a pipe, tokenize, and clear errors
/// with a non-zero exit status for bad input.
@Suite("swiftllm command line", .serialized)
struct CLITests {
    /// The binary built beside the test bundle (whatever the scratch path), else `.build/debug`.
    static var binary: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("swiftllm")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return Fixtures.packageRoot.appendingPathComponent(".build/debug/swiftllm")
    }

    struct Run { var status: Int32; var stdout: String; var stderr: String }

    func run(_ arguments: [String], input: String = "") throws -> Run {
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = arguments
        let (stdin, stdout, stderr) = (Pipe(), Pipe(), Pipe())
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let out = stdout.fileHandleForReading.readDataToEndOfFile(), err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    @Test("chat keeps the conversation, /reset clears it, end of input exits cleanly")
    func chat() throws {
        let result = try run(["chat", "--model", Fixtures.smolLM2, "--device", "cpu", "--max-tokens", "8"],
                             input: "What is 2 plus 2?\n/reset\nSay hello.\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("(conversation cleared)"))
        #expect(result.stdout.split(separator: "\n").count == 2, "two replies: \(result.stdout)")
    }

    @Test("tokenize prints the tokenizer's ids")
    func tokenize() throws {
        let result = try run(["tokenize", "--model", Fixtures.smolLM2, "Hello world 123"])
        #expect(result.status == 0)
        // SmolLM2 splits digits one by one (llama.cpp's "smollm" pre-tokenizer).
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "19556 905 216 33 34 35")
    }

    @Test("info without a model lists the registry's architectures; with one, says whether it is supported")
    func infoArchitectures() throws {
        let list = try run(["info"])
        #expect(list.status == 0, "\(list.stderr)")
        let names = list.stdout.split(separator: "\n").dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(names == ModelRegistry.supportedArchitectures)
        let gemma = try run(["info", "--model", Fixtures.models.appendingPathComponent("gemma2").path])
        #expect(gemma.status == 0, "\(gemma.stderr)")
        #expect(gemma.stdout.contains("architecture: Gemma2ForCausalLM") && gemma.stdout.contains("supported:    yes"))
    }

    @Test("An unsupported architecture fails naming it and the supported ones")
    func unsupportedArchitecture() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftllm-falcon-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let fixture = Fixtures.models.appendingPathComponent("qwen3")
        var config = try JSONSerialization.jsonObject(with: Data(contentsOf: fixture.appendingPathComponent("config.json"))) as! [String: Any]
        config["architectures"] = ["FalconForCausalLM"]
        try JSONSerialization.data(withJSONObject: config).write(to: folder.appendingPathComponent("config.json"))
        try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent("model.safetensors"), withDestinationURL: fixture.appendingPathComponent("model.safetensors"))
        let tokenizer = Fixtures.packageRoot.appendingPathComponent("Tests/Fixtures/tokenizer/ggml-vocab-gpt-2.gguf").path
        let result = try run(["generate", "--model", folder.path, "--tokenizer", tokenizer, "--device", "cpu", "--prompt", "x"])
        #expect(result.status != 0 && result.status < 128)
        #expect(result.stderr.contains("'FalconForCausalLM' is not supported"), "\(result.stderr)")
        for name in ModelRegistry.supportedArchitectures { #expect(result.stderr.contains(name)) }
        let info = try run(["info", "--model", folder.path])
        #expect(info.stdout.contains("supported:    no (supported: \(ModelRegistry.supportedArchitectures.joined(separator: ", ")))"))
    }

    @Test("bad input: a clear message and a non-zero exit, never a crash", arguments: [
        (["generate", "--model", "/no/such/model.gguf", "--prompt", "x"], "no such file"),
        (["generate", "--model", "MODEL", "--prompt", "x", "--temperature", "-1"], "temperature"),
        (["generate", "--model", "MODEL", "--prompt", "x", "--device", "tpu"], "--device"),
        (["chat", "--model", "MODEL", "--template-variable", "enable_thinking"], "NAME=JSON"),
        (["tokenize", "--model", "MODEL"], "TEXT or --file"),
        (["bench", "--model", "MODEL", "--device", "cpu", "--thread-counts", "1,x"], "got '1,x'"),
        (["bench", "throughput", "--model", "MODEL", "--device", "cpu", "--dataset", "/no/such.jsonl"], "--dataset /no/such.jsonl"),
        // The dataset is read before the model: its error comes first.
        (["bench", "throughput", "--model", "/no/such/model.gguf", "--dataset", "/no/such.jsonl"], "--dataset /no/such.jsonl"),
        (["generate", "--model", "MODEL", "--prompt", "x", "--kv-cache-dtype", "fp4"], "auto, f32, f16, bf16 or fp8, got 'fp4'"),
        // fp8 is a GPU cache type: on the CPU the engine names the field and what it takes.
        (["generate", "--model", "MODEL", "--prompt", "x", "--device", "cpu", "--kv-cache-dtype", "fp8"],
         "--kv-cache-dtype: expected one of f16, f32 on cpu, found f8_e4m3"),
        // Errors name the flag, not the library's field.
        (["generate", "--model", "MODEL", "--prompt", "x", "--max-tokens", "0"], "--max-tokens must be in [1, inf), got 0"),
        (["serve", "--model", "MODEL", "--max-num-seqs", "0"], "--max-num-seqs: expected a positive count, found 0"),
        (["generate", "--model", "MODEL", "--prompt", "x", "--device", "cpu", "--stop-token-id", "99999999"],
         "--stop-token-id 99999999 is outside the vocabulary [0, 49152)"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try run(arguments.map { $0 == "MODEL" ? Fixtures.smolLM2 : $0 })
        #expect(result.status != 0)
        #expect(result.status < 128, "killed by a signal: \(result.status)")
        #expect(result.stderr.lowercased().contains(message.lowercased()), "\(result.stderr)")
    }

    @Test("--dataset: every line becomes a request; one asking for no output tokens names its file and line")
    func datasetOutputLength() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("swiftllm-dataset-\(UUID().uuidString).jsonl")
        try "{\"prompt\": \"hi\"}\n{\"prompt\": \"there\", \"output_len\": 0}\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try run(["bench", "throughput", "--model", Fixtures.smolLM2, "--device", "cpu", "--dataset", file.path])
        #expect(result.status != 0 && result.status < 128)
        #expect(result.stderr.contains("\(file.path) line 2: output_len must be positive, got 0"), "\(result.stderr)")
        // Valid lines: a text prompt with its own output length and an id prompt with the default.
        try "{\"prompt\": \"hi\", \"output_len\": 3}\n\n{\"prompt_token_ids\": [1, 2, 3]}\n".write(to: file, atomically: true, encoding: .utf8)
        let valid = try run(["bench", "throughput", "--model", Fixtures.smolLM2, "--device", "cpu", "--dataset", file.path, "--output-len", "4"])
        #expect(valid.status == 0, "\(valid.stderr)")
        #expect(valid.stdout.contains("requests                         | 2"), "\(valid.stdout)")
    }
}
