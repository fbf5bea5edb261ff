import Foundation
import LLMServer
import SwiftLLM
import Testing

/// The server over the real SmolLM2 model on the CPU: what it answers for a greedy request
/// is what the offline API generates for the same request.
@Suite("Server over SmolLM2", .serialized)
struct SmolLM2ServerTests {
    /// One model for the suite: loading maps the file; two threads as in the other model tests.
    static let llm = Result { try LLM(model: smolLM2Path, options: LLMOptions(device: .cpu, cpu: .init(threads: 2),
                                                                                engine: EngineOptions(kvCacheBytes: 64 << 20))) }

    static var smolLM2Path: String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let cache = ProcessInfo.processInfo.environment["SWIFTLLM_MODEL_CACHE"].map { URL(fileURLWithPath: $0) }
            ?? root.appendingPathComponent(".cache/models")
        return cache.appendingPathComponent("SmolLM2-135M-Instruct.Q4_1.gguf").path
    }

    static let question = "What is the capital of France?"

    @Test("Greedy completions equal LLM.generate, streamed or not")
    func completions() async throws {
        let llm = try Self.llm.get()
        let offline = try llm.generate(GenerationRequest(prompt: .text("The capital of France is"), params: SamplingParams(temperature: 0, maxTokens: 12)))
        let harness = try ServerHarness(model: llm)
        let body = #"{"prompt": "The capital of France is", "max_tokens": 12, "temperature": 0"#
        let (plain, streamed) = try await harness.run { client in
            (try await client.post("/v1/completions", body + "}"), try await client.post("/v1/completions", body + #", "stream": true}"#))
        }
        let choice = try #require((try plain.json["choices"] as? [[String: Any]])?.first)
        #expect(choice["text"] as? String == offline.text)
        #expect(choice["finish_reason"] as? String == offline.finishReason.openAIName)
        #expect((try plain.json["usage"] as? [String: Int])?["completion_tokens"] == offline.tokenIDs.count)
        #expect((try plain.json["usage"] as? [String: Int])?["prompt_tokens"] == offline.promptTokenIDs.count)
        let pieces = try streamed.eventObjects.compactMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }
        #expect(pieces.joined() == offline.text)
        #expect(streamed.events.last == "[DONE]")
    }

    @Test("Greedy chat equals LLM.generate on the chat template's prompt; streamed deltas reassemble it")
    func chat() async throws {
        let llm = try Self.llm.get()
        let prompt = try llm.chatPrompt([ChatMessage(role: "user", Self.question).jinjaValue])
        let offline = try llm.generate(GenerationRequest(prompt: prompt, params: SamplingParams(temperature: 0, maxTokens: 16)))
        let harness = try ServerHarness(model: llm)
        let body = #"{"messages": [{"role": "user", "content": "\#(Self.question)"}], "max_completion_tokens": 16, "temperature": 0"#
        let (plain, streamed) = try await harness.run { client in
            (try await client.post("/v1/chat/completions", body + "}"),
             try await client.post("/v1/chat/completions", body + #", "stream": true, "stream_options": {"include_usage": true}}"#))
        }
        let message = try #require((try plain.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: String])
        #expect(message["content"] == offline.text)
        let chunks = try streamed.eventObjects
        let deltas = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first?["delta"] as? [String: String] }
        #expect(deltas.compactMap { $0["content"] }.joined() == offline.text)
        let usage = try plain.json["usage"] as? [String: Int]
        #expect(chunks.last?["usage"] as? [String: Int] == usage)
    }

    @Test("Stop strings, stop reasons and logprobs come from the engine")
    func stopAndLogprobs() async throws {
        let llm = try Self.llm.get()
        let params = SamplingParams(temperature: 0, maxTokens: 12, stop: [" France"], logprobs: 2)
        let offline = try llm.generate(GenerationRequest(prompt: .text("The capital of France is Paris. The capital of"), params: params))
        let harness = try ServerHarness(model: llm)
        let reply = try await harness.run {
            try await $0.post("/v1/completions", #"{"prompt": "The capital of France is Paris. The capital of", "max_tokens": 12, "temperature": 0, "stop": " France", "logprobs": 2}"#)
        }
        let choice = try #require((try reply.json["choices"] as? [[String: Any]])?.first)
        #expect(choice["text"] as? String == offline.text)
        if offline.finishReason == .stop(.stopString(" France")) {
            #expect(choice["finish_reason"] as? String == "stop")
            #expect(choice["stop_reason"] as? String == " France")
        }
        let logprobs = try #require(choice["logprobs"] as? [String: Any])
        #expect(logprobs["tokens"] as? [String] == offline.tokenIDs.map { llm.tokenizer.decode([$0]) })
        let expected = offline.logprobs.map { Double($0.logprob) }
        let got = try #require(logprobs["token_logprobs"] as? [Double])
        #expect(zip(got, expected).allSatisfy { abs($0 - $1) < 1e-4 } && got.count == expected.count)
    }

    @Test("/tokenize uses the model's tokenizer and chat template")
    func tokenize() async throws {
        let llm = try Self.llm.get()
        let harness = try ServerHarness(model: llm)
        let (text, chat) = try await harness.run { client in
            (try await client.post("/tokenize", #"{"prompt": "Hello world 123"}"#),
             try await client.post("/tokenize", #"{"messages": [{"role": "user", "content": "\#(Self.question)"}]}"#))
        }
        #expect(try text.json["tokens"] as? [Int] == llm.tokenizer.encode("Hello world 123"))
        guard case let .tokens(ids) = try llm.chatPrompt([ChatMessage(role: "user", Self.question).jinjaValue]) else { return }
        #expect(try chat.json["tokens"] as? [Int] == ids)
    }
}
