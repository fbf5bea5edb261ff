import ArgumentParser
import Foundation
import SwiftLLM

/// Options every command that loads a model shares.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A GGUF file or a Hugging Face model folder (config.json + safetensors + tokenizer.json).")
    var model: String

    @Option(name: .long, help: "cpu, cuda, or auto (CUDA when a usable GPU and the CUDA libraries are found, else the CPU).")
    var device: String = "auto"

    @Option(name: .long, help: "CUDA device ordinal.")
    var gpu: Int = 0

    @Option(name: .long, help: "CPU threads (default: all cores).")
    var threads: Int?

    @Flag(name: .long, help: "CPU: multiply quantised weights with f32 activations (slower, reference numerics).")
    var exact = false

    @Option(name: .long, help: "Most tokens per forward pass (prefill chunk size, shared with decode tokens).")
    var maxBatchTokens: Int = 512

    @Option(name: .long, help: "Most requests running at once (one logit row each per step).")
    var maxNumSeqs: Int = 256

    @Option(name: .long, help: "Tokens per KV cache block.")
    var blockSize: Int = 16

    @Option(name: .long, help: "Context length cap (prompt + generated tokens).")
    var maxModelLength: Int?

    @Option(name: .long, help: "KV cache memory in MiB (default: on a GPU, --kv-cache-fraction of the memory free after loading and a profiling step; on the CPU 512).")
    var kvCacheMib: Int?

    @Option(name: .long, help: "Share of the free GPU memory that becomes KV cache when --kv-cache-mib is not given.")
    var kvCacheFraction: Double = 0.9

    @Option(name: .long, help: "KV cache element type: auto (the device's default: f16 on the CPU, f32 with --exact, bf16 on a GPU), f32 or f16 (CPU), bf16 or fp8 (GPU; fp8 is e4m3, half the bytes, values rounded as they are stored).")
    var kvCacheDtype: String = "auto"

    @Flag(name: .long, help: "Do not reuse the KV cache of shared prompt prefixes across requests.")
    var noPrefixCaching = false

    @Option(name: .long, help: "auto (read the checkpoint) or dummy (random weights from --model's config.json).")
    var loadFormat: String = "auto"

    @Option(name: .long, help: "Read the tokenizer from this GGUF file or folder instead of --model.")
    var tokenizer: String?

    @Flag(name: .long, help: "Run every decode step eagerly instead of replaying recorded CUDA graphs.")
    var noCudaGraphs = false

    @Option(name: .long, help: "auto, on or off: enqueue each step before the previous one's stop checks and outputs (auto: on GPUs).")
    var overlapSteps: String = "auto"

    func llmOptions(threads override: Int? = nil) throws -> LLMOptions {
        guard let device = LLMOptions.Device(rawValue: device) else {
            throw ValidationError("--device must be one of \(LLMOptions.Device.allCases.map(\.rawValue).joined(separator: ", ")), got '\(device)'")
        }
        if let kvCacheMib, kvCacheMib <= 0 { throw ValidationError("--kv-cache-mib must be positive") }
        guard let format = LLMOptions.LoadFormat(rawValue: loadFormat) else {
            throw ValidationError("--load-format must be one of \(LLMOptions.LoadFormat.allCases.map(\.rawValue).joined(separator: ", ")), got '\(loadFormat)'")
        }
        var kvDType: DType?
        if kvCacheDtype != "auto" {
            // fp8 and fp8_e4m3 are vLLM's names for the format.
            let named = ["fp8": DType.f8_e4m3, "fp8_e4m3": .f8_e4m3][kvCacheDtype] ?? DType(rawValue: kvCacheDtype)
            guard let dtype = named, [.f32, .f16, .bf16, .f8_e4m3].contains(dtype) else {
                throw ValidationError("--kv-cache-dtype must be auto, f32, f16, bf16 or fp8, got '\(kvCacheDtype)'")
            }
            kvDType = dtype
        }
        let overlap: Bool?
        switch overlapSteps {
        case "auto": overlap = nil
        case "on": overlap = true
        case "off": overlap = false
        default: throw ValidationError("--overlap-steps must be auto, on or off, got '\(overlapSteps)'")
        }
        let cpu = CPUBackend.Options(threads: override ?? threads ?? CPUInfo.coreCount, exactMatmul: exact)
        let engine = EngineOptions(maxBatchTokens: maxBatchTokens, maxSequences: maxNumSeqs, blockSize: blockSize,
                                   kvCacheBytes: kvCacheMib.map { $0 << 20 }, kvCacheMemoryFraction: kvCacheFraction,
                                   prefixCaching: !noPrefixCaching, maxModelLength: maxModelLength, overlapSteps: overlap,
                                   recordDecodeSteps: !noCudaGraphs,
                                   kvCacheDType: kvDType)
        guard gpu >= 0 else { throw ValidationError("--gpu must be a device ordinal (0, 1, ...)") }
        return LLMOptions(device: device, gpu: gpu, cpu: cpu, engine: engine, loadFormat: format, tokenizerPath: tokenizer)
    }

    /// Engine options checked as the flags are parsed, before any model loads.
    func validate() throws {
        do {
            try llmOptions().engine.validate()
        } catch {
            throw CLIFlagNames.restated(error)
        }
    }

    /// Loads the model, showing progress on a terminal; `prefixCaching` overrides the flag
    /// (a benchmark repeating one prompt must compute it every time); `reserveKVCache` makes
    /// the whole KV cache resident at start (the server).
    func load(threads override: Int? = nil, prefixCaching: Bool? = nil, reserveKVCache: Bool = false) throws -> LLM {
        var options = try llmOptions(threads: override)
        if let prefixCaching { options.engine.prefixCaching = prefixCaching }
        options.engine.reserveKVCache = reserveKVCache
        let terminal = isatty(STDERR_FILENO) == 1
        let start = Date()
        let llm: LLM
        do {
            llm = try LLM(model: model, options: options) { progress in
                if terminal { Terminal.status("Loading weights \(progress.loaded)/\(progress.total)") }
            }
        } catch {
            // Options checked against the model and device (cache type, context length).
            throw CLIFlagNames.restated(error)
        }
        if terminal { Terminal.status("") }
        Terminal.note("Device: \(llm.deviceChoice)")
        Terminal.note(String(format: "Loaded %@ (%@, %.1fM parameters) on %@ in %.2f s", model, llm.model.spec.architecture,
                             Double(llm.model.spec.parameterCount) / 1e6, llm.backend.deviceDescription, Date().timeIntervalSince(start)))
        Terminal.note("\(llm.kvCachePlan); context \(llm.maxModelLength) tokens")
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
