import Foundation
import LLMServer
import SwiftLLM
import Testing

/// The OpenAI endpoints' shapes, with a scripted model whose answers are known.
@Suite("OpenAI endpoints")
struct OpenAIEndpointTests {
    let model = ScriptedModel()

    @Test("Completions: OpenAI's fields, the model's text, finish reason and usage")
    func completion() async throws {
        let harness = try ServerHarness(model: model)
        // `created` must fall within the request, however long a loaded machine takes.
        let before = Int(Date().timeIntervalSince1970)
        let reply = try await harness.run { try await $0.post("/v1/completions", #"{"model": "test-model", "prompt": "Hi", "max_tokens": 64}"#) }
        let after = Int(Date().timeIntervalSince1970)
        #expect(reply.status == 200)
        let body = try reply.json
        #expect((body["id"] as? String)?.hasPrefix("cmpl-") == true)
        #expect(body["object"] as? String == "text_completion")
        #expect(body["model"] as? String == "test-model")
        #expect((body["created"] as? Int).map { (before - 1)...(after + 1) ~= $0 } == true)
        #expect((body["system_fingerprint"] as? String)?.hasPrefix("fp_") == true)
        let choice = try #require((body["choices"] as? [[String: Any]])?.first)
        #expect(choice["index"] as? Int == 0)
        #expect(choice["text"] as? String == model.reply)
        #expect(choice["finish_reason"] as? String == "stop")
        #expect(choice["logprobs"] is NSNull)
        #expect(choice["stop_reason"] is NSNull)
        let usage = try #require(body["usage"] as? [String: Int])
        // "Hi" is BOS + 2 bytes; the reply's bytes plus EOS.
        #expect(usage == ["prompt_tokens": 3, "completion_tokens": model.reply.utf8.count + 1, "total_tokens": 3 + model.reply.utf8.count + 1])
    }

    @Test("Completions default to 16 tokens and report length; batched prompts number their choices")
    func defaultsAndBatches() async throws {
        let harness = try ServerHarness(model: model)
        let short = try await harness.run { try await $0.post("/v1/completions", #"{"prompt": "Hi"}"#) }
        let choice = try #require((try short.json["choices"] as? [[String: Any]])?.first)
        #expect(choice["text"] as? String == String(model.reply.prefix(16)))
        #expect(choice["finish_reason"] as? String == "length")

        let batch = try await harness.run { try await $0.post("/v1/completions", #"{"prompt": ["a", "bc"], "n": 2}"#) }
        let choices = try #require(try batch.json["choices"] as? [[String: Any]])
        #expect(choices.map { $0["index"] as? Int } == [0, 1, 2, 3])
        #expect(choices.allSatisfy { $0["text"] as? String == "Paris is the cap" })
        let usage = try #require(try batch.json["usage"] as? [String: Int])
        #expect(usage["prompt_tokens"] == 2 + 3)
        #expect(usage["completion_tokens"] == 4 * 16)
    }

    @Test("n choices get derived seeds: seed + i")
    func derivedSeeds() async throws {
        let harness = try ServerHarness(model: ScriptedModel(reply: "ok"))
        let reply = try await harness.run { try await $0.post("/v1/completions", #"{"prompt": "x", "n": 3, "seed": 7, "max_tokens": 20}"#) }
        let texts = try #require(try reply.json["choices"] as? [[String: Any]]).map { $0["text"] as? String }
        #expect(texts == ["ok #7", "ok #8", "ok #9"])
    }

    @Test("Chat: chat.completion with an assistant message")
    func chat() async throws {
        let harness = try ServerHarness(model: model)
        let reply = try await harness.run {
            try await $0.post("/v1/chat/completions", #"{"model": "test-model", "messages": [{"role": "user", "content": "Capital?"}]}"#)
        }
        #expect(reply.status == 200)
        let body = try reply.json
        #expect((body["id"] as? String)?.hasPrefix("chatcmpl-") == true)
        #expect(body["object"] as? String == "chat.completion")
        let choice = try #require((body["choices"] as? [[String: Any]])?.first)
        #expect(choice["message"] as? [String: String] == ["role": "assistant", "content": model.reply])
        #expect(choice["finish_reason"] as? String == "stop")
        let prompt = try model.chatPromptTokens([.object(.init([("role", .string("user")), ("content", .string("Capital?"))]))],
                                            addGenerationPrompt: true, templateVariables: [:])
        #expect((body["usage"] as? [String: Int])?["prompt_tokens"] == prompt.count)
    }

    @Test("Chat content parts of type text are joined for the template")
    func contentParts() async throws {
        let harness = try ServerHarness(model: model)
        let request = #"{"messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}"#
        let reply = try await harness.run { try await $0.post("/tokenize", request) }
        let tokens = try #require(try reply.json["tokens"] as? [Int])
        #expect(model.decode(tokens) == "<|user|>a\nb\n<|assistant|>")
    }

    @Test("Sampling fields, OpenAI's and vLLM's, reach the engine as SamplingParams")
    func samplingParams() async throws {
        let harness = try ServerHarness(model: model)
        let request = #"""
            {"messages": [{"role": "user", "content": "Hi"}], "max_completion_tokens": 7, "temperature": 0.5, "top_p": 0.9,
             "top_k": 40, "min_p": 0.05, "repetition_penalty": 1.1, "presence_penalty": 0.3, "frequency_penalty": -0.2, "seed": 3,
             "stop": "x", "stop_token_ids": [5], "ignore_eos": true, "min_tokens": 2, "include_stop_str_in_output": true,
             "logit_bias": {"7": -100, "9": 2.5}, "logprobs": true, "top_logprobs": 4, "user": "u1"}
            """#
        let reply = try await harness.run { try await $0.post("/v1/chat/completions", request) }
        #expect(reply.status == 200, "\(reply.text)")
        let expected = SamplingParams(temperature: 0.5, topK: 40, topP: 0.9, minP: 0.05, repetitionPenalty: 1.1, presencePenalty: 0.3,
                                      frequencyPenalty: -0.2, seed: 3, maxTokens: 7, minTokens: 2, stop: ["x"], stopTokenIDs: [5],
                                      ignoreEOS: true, includeStopStringInOutput: true, logprobs: 4, logitBias: [7: -100, 9: 2.5])
        #expect(model.receivedParams == [expected])
    }

    @Test("chat_template_kwargs and add_generation_prompt reach the chat template")
    func templateVariables() async throws {
        let harness = try ServerHarness(model: model)
        let request = #"{"messages": [{"role": "user", "content": "Hi"}], "chat_template_kwargs": {"enable_thinking": false}, "add_generation_prompt": false}"#
        let reply = try await harness.run { try await $0.post("/tokenize", request) }
        #expect(model.decode(try #require(try reply.json["tokens"] as? [Int])) == "<|enable_thinking=false|>\n<|user|>Hi\n")
    }

    @Test("Streams: chunks of the right object, framing ending with [DONE], reassembled text equals the non-streamed one")
    func streaming() async throws {
        let harness = try ServerHarness(model: model)
        let (plain, streamed) = try await harness.run { client in
            (try await client.post("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 10}"#),
             try await client.post("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 10, "stream": true}"#))
        }
        #expect(streamed.status == 200)
        #expect(streamed.headers[.contentType] == "text/event-stream")
        #expect(streamed.text.hasSuffix("data: [DONE]\n\n"))
        #expect(streamed.events.last == "[DONE]")
        let chunks = try streamed.eventObjects
        #expect(chunks.allSatisfy { $0["object"] as? String == "chat.completion.chunk" && $0["usage"] == nil })
        #expect(Set(chunks.compactMap { $0["id"] as? String }).count == 1)
        let choices = chunks.compactMap { ($0["choices"] as? [[String: Any]])?.first }
        let deltas = choices.map { $0["delta"] as? [String: String] ?? [:] }
        #expect(deltas.first == ["role": "assistant", "content": ""])
        #expect(choices.dropLast().allSatisfy { $0["finish_reason"] is NSNull })
        #expect(choices.last?["finish_reason"] as? String == "length")
        let text = deltas.compactMap { $0["content"] }.joined()
        let expected = try #require((try plain.json["choices"] as? [[String: Any]])?.first?["message"] as? [String: String])["content"]
        #expect(text == expected)
        #expect(text == String(model.reply.prefix(10)))
    }

    @Test("stream_options.include_usage: null usage on every chunk, then a last chunk with no choices and the counts")
    func streamUsage() async throws {
        let harness = try ServerHarness(model: model)
        let reply = try await harness.run {
            try await $0.post("/v1/completions", #"{"prompt": "Hi", "max_tokens": 4, "stream": true, "stream_options": {"include_usage": true}}"#)
        }
        let chunks = try reply.eventObjects
        #expect(chunks.dropLast().allSatisfy { $0["usage"] is NSNull })
        let last = try #require(chunks.last)
        #expect((last["choices"] as? [Any])?.isEmpty == true)
        #expect(last["usage"] as? [String: Int] == ["prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7])
        #expect(chunks.dropLast().compactMap { ($0["choices"] as? [[String: Any]])?.first?["text"] as? String }.joined() == "Pari")
    }

    @Test("Logprobs: completions' parallel arrays and chat's content entries")
    func logprobs() async throws {
        let harness = try ServerHarness(model: model)
        let (completion, chat) = try await harness.run { client in
            (try await client.post("/v1/completions", #"{"prompt": "Hi", "max_tokens": 3, "logprobs": 2}"#),
             try await client.post("/v1/chat/completions", #"{"messages": [{"role": "user", "content": "Hi"}], "max_tokens": 2, "logprobs": true, "top_logprobs": 2}"#))
        }
        let logprobs = try #require((try completion.json["choices"] as? [[String: Any]])?.first?["logprobs"] as? [String: Any])
        #expect(logprobs["tokens"] as? [String] == ["P", "a", "r"])
        #expect(logprobs["token_logprobs"] as? [Double] == [-0.5, -0.5, -0.5])
        #expect(logprobs["text_offset"] as? [Int] == [0, 1, 2])
        #expect((logprobs["top_logprobs"] as? [[String: Double]])?.first == ["P": -0.5, "Q": -1.5])

        let content = try #require(((try chat.json["choices"] as? [[String: Any]])?.first?["logprobs"] as? [String: Any])?["content"] as? [[String: Any]])
        #expect(content.count == 2)
        #expect(content.first?["token"] as? String == "P")
        #expect(content.first?["bytes"] as? [Int] == [80])
        #expect((content.first?["top_logprobs"] as? [[String: Any]])?.map { $0["token"] as? String } == ["P", "Q"])
    }

    @Test("GET /v1/models lists the served names")
    func models() async throws {
        let harness = try ServerHarness(model: model) { $0.servedModelNames = ["a", "b"] }
        let reply = try await harness.run { try await $0.get("/v1/models") }
        let body = try reply.json
        #expect(body["object"] as? String == "list")
        let data = try #require(body["data"] as? [[String: Any]])
        #expect(data.map { $0["id"] as? String } == ["a", "b"])
        #expect(data.allSatisfy { $0["object"] as? String == "model" && $0["max_model_len"] as? Int == model.maxModelLength })
    }

    @Test("Tokenize and detokenize in vLLM's shapes")
    func tokenizer() async throws {
        let harness = try ServerHarness(model: model)
        let (tokenized, detokenized) = try await harness.run { client in
            (try await client.post("/tokenize", #"{"prompt": "ab", "return_token_strs": true}"#),
             try await client.post("/detokenize", #"{"tokens": [99, 100]}"#))
        }
        let body = try tokenized.json
        #expect(body["tokens"] as? [Int] == [0, 99, 100])
        #expect(body["count"] as? Int == 3)
        #expect(body["max_model_len"] as? Int == model.maxModelLength)
        #expect(body["token_strs"] as? [String] == ["", "a", "b"])
        #expect(try detokenized.json["prompt"] as? String == "ab")
    }
}
