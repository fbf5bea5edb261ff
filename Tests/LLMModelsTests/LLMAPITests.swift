import Foundation
import SwiftLLM
import Testing

/// The public API end to end on the real SmolLM2 model: sampling controls, stop
/// conditions, streaming and cancellation, chunked prefill, and bad requests.
@Suite("LLM API on SmolLM2", .serialized)
final class LLMAPITests {
    let llm: LLM

    init() throws {
        llm = try LLM(model: Fixtures.smolLM2, options: LLMOptions(device: .cpu, cpu: .init(threads: 2), engine: EngineOptions(maxBatchTokens: 64, kvCacheBytes: 64 << 20)))
    }

    static let prompt = Prompt.text("<|im_start|>user\nWrite a short story about a robot.<|im_end|>\n<|im_start|>assistant\n")

    @Test("Same seed gives the same sample; another seed a different one")
    func seeds() throws {
        func run(_ seed: Int) throws -> [Int] {
            try llm.generate(GenerationRequest(prompt: Self.prompt, params: SamplingParams(temperature: 1.0, topP: 0.95, seed: seed, maxTokens: 24))).tokenIDs
        }
        let a = try run(1), b = try run(1), c = try run(2)
        #expect(a == b)
        #expect(a != c)
    }

    @Test("A stop string spanning tokens cuts the text before it")
    func stopString() throws {
        let full = try llm.generate(GenerationRequest(prompt: Self.prompt, params: SamplingParams(temperature: 0, maxTokens: 24)))
        #expect(full.finishReason == .length && full.tokenIDs.count == 24)
        // A stop string made of the end of token 5 and the start of token 6.
        let pieces = full.tokenIDs.map { llm.tokenizer.decode([$0]) }
        let before = pieces[..<5].joined(), sixth = pieces[5], seventh = pieces[6]
        let stop = String(sixth.suffix(2)) + String(seventh.prefix(2))
        let cut = try llm.generate(GenerationRequest(prompt: Self.prompt, params: SamplingParams(temperature: 0, maxTokens: 24, stop: [stop])))
        let expectedText = String((before + sixth + seventh).components(separatedBy: stop)[0])
        #expect(cut.text == expectedText)
        #expect(cut.finishReason == .stop(.stopString(stop)))
    }

    @Test("Chunked prefill gives the same tokens as one forward")
    func chunkedPrefill() throws {
        let long = Prompt.text(String(repeating: "The rain in Spain stays mainly in the plain. ", count: 12))
        let params = SamplingParams(temperature: 0, maxTokens: 12)
        let whole = try llm.generate(GenerationRequest(prompt: long, params: params))
        let chunked = try LLM(model: Fixtures.smolLM2, options: LLMOptions(device: .cpu, cpu: .init(threads: 2), engine: EngineOptions(maxBatchTokens: 7, kvCacheBytes: 64 << 20)))
        #expect(try chunked.generate(GenerationRequest(prompt: long, params: params)).tokenIDs == whole.tokenIDs)
    }

    @Test("Streaming yields the same tokens as generate, and cancelling stops it")
    func streaming() async throws {
        let params = SamplingParams(temperature: 0, maxTokens: 16)
        let expected = try llm.generate(GenerationRequest(prompt: Self.prompt, params: params))
        var streamed = [Int](), text = ""
        for try await output in llm.stream(GenerationRequest(prompt: Self.prompt, params: params)) {
            streamed += output.tokenIDs
            text += output.textDelta
        }
        #expect(streamed == expected.tokenIDs)
        #expect(text == expected.text)

        let task = Task { [llm] in
            var count = 0
            for try await _ in llm.stream(GenerationRequest(prompt: Self.prompt, params: SamplingParams(temperature: 0, maxTokens: 400, ignoreEOS: true))) {
                count += 1
                if count == 3 { break }
            }
            return count
        }
        #expect(try await task.value == 3)
        // The engine is free again: a new request runs to completion.
        #expect(try llm.generate(GenerationRequest(prompt: Self.prompt, params: params)).tokenIDs == expected.tokenIDs)
    }

    @Test("Logprobs are returned for each token, sorted, chosen token first under greedy")
    func logprobs() throws {
        let result = try llm.generate(GenerationRequest(prompt: Self.prompt, params: SamplingParams(temperature: 0, maxTokens: 4, logprobs: 5)))
        #expect(result.logprobs.count == 4)
        for token in result.logprobs {
            #expect(token.topLogprobs.count == 5)
            #expect(token.topLogprobs.first?.id == token.id)
            #expect(zip(token.topLogprobs, token.topLogprobs.dropFirst()).allSatisfy { $0.logprob >= $1.logprob })
        }
    }

    @Test("Bad requests are typed errors naming the field")
    func badRequests() throws {
        func field(_ request: GenerationRequest) -> String? {
            do { _ = try llm.generate(request); return nil } catch let error as EngineError {
                switch error {
                case let .invalidRequest(field, _): return field
                case .promptTooLong: return "prompt length"
                default: return "\(error)"
                }
            } catch { return "\(error)" }
        }
        #expect(field(GenerationRequest(prompt: .text(""), params: .greedy)) == "prompt")
        #expect(field(GenerationRequest(prompt: .tokens([1, 999_999]), params: .greedy)) == "prompt")
        #expect(field(GenerationRequest(prompt: .tokens([Int](repeating: 1, count: llm.maxModelLength)), params: .greedy)) == "prompt length")
        #expect(field(GenerationRequest(prompt: Self.prompt, params: SamplingParams(temperature: -1))) == "temperature")
        #expect(field(GenerationRequest(prompt: Self.prompt, params: SamplingParams(topP: 0))) == "topP")
    }

    @Test("Missing or malformed model paths are errors, not crashes")
    func badModelPaths() throws {
        #expect(throws: (any Error).self) { try LLM(model: "/nonexistent/model.gguf") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftllm-bad-\(getpid())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\"architectures\": [\"NoSuchModel\"]}".utf8).write(to: folder.appendingPathComponent("config.json"))
        #expect(throws: (any Error).self) { try LLM(model: folder.path) }
        let gguf = folder.appendingPathComponent("broken.gguf")
        try Data("GGUF\u{3}\0\0\0".utf8).write(to: gguf)
        #expect(throws: (any Error).self) { try LLM(model: gguf.path) }
    }
}

/// The engine's device-sampling path (the backend's `sample` op, as on GPUs) gives the
/// same tokens as host sampling: same ops, same per-request random stream.
@Suite("Device sampling path")
struct DeviceSamplingPathTests {
    @Test("Greedy, seeded and penalised requests sample the same tokens on both paths")
    func samePaths() throws {
        func llm(_ device: Bool) throws -> LLM {
            try LLM(model: Fixtures.smolLM2, options: LLMOptions(device: .cpu, cpu: .init(threads: 2),
                                                               engine: EngineOptions(kvCacheBytes: 64 << 20, sampleOnDevice: device)))
        }
        let host = try llm(false), device = try llm(true)
        let prompt = LLMAPITests.prompt
        for params in [SamplingParams(temperature: 0, maxTokens: 16),
                       SamplingParams(temperature: 0.9, topK: 40, topP: 0.9, minP: 0.02, seed: 7, maxTokens: 16),
                       SamplingParams(temperature: 0.7, repetitionPenalty: 1.3, presencePenalty: 0.5, frequencyPenalty: 0.4, seed: 3, maxTokens: 16)] {
            let a = try host.generate(GenerationRequest(prompt: prompt, params: params))
            let b = try device.generate(GenerationRequest(prompt: prompt, params: params))
            #expect(a.tokenIDs == b.tokenIDs, "\(params)")
            #expect(a.text == b.text)
        }
    }
}
