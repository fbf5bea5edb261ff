import ArgumentParser
import Foundation
import SwiftLLM

/// Options every command that loads a model shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A GGUF file or a Hugging Face model folder (config.json + safetensors + tokenizer.json).")
    var model: String

    @Option(name: .long, help: "cpu or auto (auto picks a GPU when one is usable; this build runs on the CPU).")
    var device: String = "auto"

    @Option(name: .long, help: "CPU threads (default: all cores).")
    var threads: Int?

    @Flag(name: .long, help: "CPU: multiply quantised weights with f32 activations (slower, reference numerics).")
    var exact = false

    @Option(name: .long, help: "Most tokens per forward pass (prefill chunk size).")
    var maxBatchTokens: Int = 512

    @Option(name: .long, help: "Context length cap (prompt + generated tokens).")
    var maxModelLength: Int?

    @Option(name: .long, help: "KV cache memory in MiB.")
    var kvCacheMib: Int = 512

    func llmOptions(threads override: Int? = nil) throws -> LLMOptions {
        guard let device = LLMOptions.Device(rawValue: device) else {
            throw ValidationError("--device must be one of \(LLMOptions.Device.allCases.map(\.rawValue).joined(separator: ", ")), got '\(device)'")
        }
        guard kvCacheMib > 0 else { throw ValidationError("--kv-cache-mib must be positive") }
        let cpu = CPUBackend.Options(threads: override ?? threads ?? CPUInfo.coreCount, exactMatmul: exact)
        let engine = EngineOptions(maxBatchTokens: maxBatchTokens, kvCacheBytes: kvCacheMib << 20, maxModelLength: maxModelLength)
        return LLMOptions(device: device, cpu: cpu, engine: engine)
    }

    /// Loads the model, showing progress on a terminal.
    func load(threads override: Int? = nil) throws -> LLM {
        let options = try llmOptions(threads: override)
        let terminal = isatty(STDERR_FILENO) == 1
        let start = Date()
        let llm = try LLM(model: model, options: options) { progress in
            if terminal { Terminal.status("Loading weights \(progress.loaded)/\(progress.total)") }
        }
        if terminal { Terminal.status("") }
        Terminal.note(String(format: "Loaded %@ (%@, %.1fM parameters) on %@ in %.2f s", model, llm.model.spec.architecture,
                             Double(llm.model.spec.parameterCount) / 1e6, llm.backend.deviceDescription, Date().timeIntervalSince(start)))
        return llm
    }
}

/// Messages for people go to stderr so stdout carries only the generated text.
enum Terminal {
    static func note(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Overwrites the current stderr line (progress).
    static func status(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
