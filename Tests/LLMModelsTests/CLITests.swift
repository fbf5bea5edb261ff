import Foundation
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

    @Test("bad input: a clear message and a non-zero exit, never a crash", arguments: [
        (["generate", "--model", "/no/such/model.gguf", "--prompt", "x"], "no such file"),
        (["generate", "--model", "MODEL", "--prompt", "x", "--temperature", "-1"], "temperature"),
        (["generate", "--model", "MODEL", "--prompt", "x", "--device", "tpu"], "--device"),
        (["chat", "--model", "MODEL", "--template-variable", "enable_thinking"], "NAME=JSON"),
        (["tokenize", "--model", "MODEL"], "TEXT or --file"),
    ])
    func badInput(arguments: [String], message: String) throws {
        let result = try run(arguments.map { $0 == "MODEL" ? Fixtures.smolLM2 : $0 })
        #expect(result.status != 0)
        #expect(result.status < 128, "killed by a signal: \(result.status)")
        #expect(result.stderr.lowercased().contains(message.lowercased()), "\(result.stderr)")
    }
}
