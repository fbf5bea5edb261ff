import Foundation
import LLMServer
import Testing

/// Every kind of bad request gets OpenAI's error body with the right status and names
/// what is wrong, and the server goes on answering.
@Suite("Bad input")
struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var path: String
        var body: String
        var status: Int
        /// Words the message must contain.
        var message: String
        var param: String?
        var description: String { "\(path) \(body.prefix(60))" }
    }

    static let longPrompt = String(repeating: "x", count: 200)

    static let cases: [Case] = [
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "#, status: 400, message: "not valid JSON"),
        Case(path: "/v1/completions", body: #"["prompt"]"#, status: 400, message: "must be a JSON object"),
        Case(path: "/v1/completions", body: "", status: 400, message: "empty"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "max_tokens": "ten"}"#, status: 400, message: "'max_tokens' must be an integer, got a string", param: "max_tokens"),
        Case(path: "/v1/completions", body: #"{"prompt": 42}"#, status: 400, message: "'prompt' must be a string", param: "prompt"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "temperature": "hot"}"#, status: 400, message: "'temperature' must be a number", param: "temperature"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "stream": 1}"#, status: 400, message: "'stream' must be a boolean", param: "stream"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "stop": [1, 2]}"#, status: 400, message: "'stop' must be a string or an array of strings", param: "stop"),
        Case(path: "/v1/completions", body: #"{"model": "gpt-4", "prompt": "Hi"}"#, status: 404, message: "The model `gpt-4` does not exist", param: "model"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "max_tokens": -5}"#, status: 400, message: "at least 1, got -5", param: "max_tokens"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "max_tokens": 0}"#, status: 400, message: "at least 1", param: "max_tokens"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "max_tokens": 1000000}"#, status: 400, message: "maximum context length is 128 tokens", param: "max_tokens"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "max_tokens": 1e30}"#, status: 400, message: "'max_tokens' must be an integer", param: "max_tokens"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "max_tokens": 99999999999999999999}"#, status: 400, message: "'max_tokens' must be an integer", param: "max_tokens"),
        Case(path: "/v1/completions", body: #"{"prompt": "\#(longPrompt)"}"#, status: 400, message: "your prompt has 201 tokens", param: "prompt"),
        Case(path: "/v1/chat/completions", body: #"{"messages": [{"role": "user", "content": "\#(longPrompt)"}]}"#, status: 400, message: "maximum context length", param: "messages"),
        Case(path: "/v1/completions", body: #"{"prompt": "", "add_special_tokens": false}"#, status: 400, message: "The prompt is empty", param: "prompt"),
        Case(path: "/v1/completions", body: #"{"prompt": [], "max_tokens": 2}"#, status: 400, message: "must not be an empty array", param: "prompt"),
        Case(path: "/v1/completions", body: #"{"prompt": [1, 9999]}"#, status: 400, message: "token id 9999, outside the vocabulary", param: "prompt"),
        Case(path: "/v1/chat/completions", body: #"{"messages": []}"#, status: 400, message: "at least one message", param: "messages"),
        Case(path: "/v1/chat/completions", body: #"{}"#, status: 400, message: "'messages' is required", param: "messages"),
        Case(path: "/v1/chat/completions", body: #"{"messages": [{"role": "wizard", "content": "Hi"}]}"#, status: 400, message: "'messages[0].role' must be one of", param: "messages[0].role"),
        Case(path: "/v1/chat/completions", body: #"{"messages": [{"content": "Hi"}]}"#, status: 400, message: "'messages[0].role' is required", param: "messages[0].role"),
        Case(path: "/v1/chat/completions", body: #"{"messages": [{"role": "user"}]}"#, status: 400, message: "'messages[0].content' is required", param: "messages[0].content"),
        Case(path: "/v1/chat/completions", body: #"{"messages": ["Hi"]}"#, status: 400, message: "'messages[0]' must be an object", param: "messages[0]"),
        Case(path: "/v1/chat/completions", body: #"{"messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "x"}}]}]}"#, status: 400, message: "of type 'image_url' is not supported", param: "messages[0].content[0]"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "n": 5}"#, status: 400, message: "'n' must be in [1, 4], got 5", param: "n"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "n": 0}"#, status: 400, message: "'n' must be in [1, 4]", param: "n"),
        Case(path: "/v1/completions", body: #"{"prompt": ["a", "b", "c"], "n": 3}"#, status: 400, message: "asks for 9 completions", param: "n"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "logit_bias": {"999999": 5}}"#, status: 400, message: "'logit_bias' contains token id 999999, outside the vocabulary", param: "logit_bias"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "logit_bias": {"abc": 5}}"#, status: 400, message: "keys must be token ids", param: "logit_bias"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "logit_bias": {"5": 500}}"#, status: 400, message: "must be in [-100, 100]", param: "logit_bias"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "stop_token_ids": [-1]}"#, status: 400, message: "'stop_token_ids' contains token id -1", param: "stop_token_ids"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "top_p": 0}"#, status: 400, message: "'top_p' must be in (0, 1], got 0.0", param: "top_p"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "temperature": -1}"#, status: 400, message: "'temperature' must be in", param: "temperature"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "logprobs": 50}"#, status: 400, message: "'logprobs' must be in [0, 20]", param: "logprobs"),
        Case(path: "/v1/chat/completions", body: #"{"messages": [{"role": "user", "content": "Hi"}], "top_logprobs": 2}"#, status: 400, message: "requires 'logprobs' to be true", param: "top_logprobs"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "stop": [""]}"#, status: 400, message: "'stop[0]' must be a non-empty string", param: "stop"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "stream_options": {"include_usage": true}}"#, status: 400, message: "only allowed when 'stream' is true", param: "stream_options"),
        Case(path: "/v1/chat/completions", body: #"{"messages": [{"role": "user", "content": "Hi"}], "tools": [{"type": "function"}]}"#, status: 400, message: "'tools' is not supported", param: "tools"),
        Case(path: "/v1/chat/completions", body: #"{"messages": [{"role": "user", "content": "Hi"}], "response_format": {"type": "json_object"}}"#, status: 400, message: "'response_format' of type 'json_object' is not supported", param: "response_format"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "suffix": "!"}"#, status: 400, message: "'suffix' is not supported", param: "suffix"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "echo": true}"#, status: 400, message: "'echo' is not supported", param: "echo"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "best_of": 3}"#, status: 400, message: "'best_of' other than n", param: "best_of"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "frobnicate": true}"#, status: 400, message: "Unrecognized request argument supplied: frobnicate", param: "frobnicate"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "stream_options": {"x": 1}, "stream": true}"#, status: 400, message: "Unrecognized request argument supplied: stream_options.x", param: "stream_options.x"),
        Case(path: "/v1/completions", body: #"{"prompt": "Hi", "suffix": null, "user": "me"}"#, status: 200, message: ""),
        Case(path: "/v1/nothing", body: #"{}"#, status: 404, message: "No route for POST /v1/nothing"),
        Case(path: "/detokenize", body: #"{"tokens": [1, -4]}"#, status: 400, message: "token id -4", param: "tokens"),
        Case(path: "/tokenize", body: #"{"prompt": "a", "messages": []}"#, status: 400, message: "either 'prompt' or 'messages'", param: "prompt"),
    ]

    @Test("An OpenAI error body naming the problem, and the server still answers", arguments: cases)
    func badRequest(_ test: Case) async throws {
        let harness = try ServerHarness(model: ScriptedModel())
        let (reply, after) = try await harness.run { client in
            (try await client.post(test.path, test.body), try await client.post("/v1/completions", #"{"prompt": "Hi", "max_tokens": 2}"#))
        }
        #expect(reply.status == test.status, "\(reply.text)")
        if test.status != 200 {
            let error = try reply.error
            #expect(error.message.contains(test.message), "\(error.message)")
            #expect(error.type == "invalid_request_error")
            #expect(error.param == test.param)
        }
        #expect(after.status == 200)
    }

    @Test("A body that is not UTF-8 is refused as such")
    func notUTF8() async throws {
        let harness = try ServerHarness(model: ScriptedModel())
        let reply = try await harness.run { try await $0.post("/v1/completions", bytes: Array(#"{"prompt": ""#.utf8) + [0xFF, 0xFE] + Array(#""}"#.utf8)) }
        #expect(reply.status == 400)
        #expect(try reply.error.message.contains("not valid UTF-8"))
    }

    @Test("An oversized body gets 413")
    func oversized() async throws {
        let harness = try ServerHarness(model: ScriptedModel())
        let big = #"{"prompt": ""# + String(repeating: "a", count: 70 << 10) + #""}"#
        let reply = try await harness.run { try await $0.post("/v1/completions", big) }
        #expect(reply.status == 413)
        #expect(try reply.error.message.contains("larger than 65536 bytes"))
    }

    @Test("Triton endpoints answer errors in Triton's shape")
    func tritonErrors() async throws {
        let harness = try ServerHarness(model: ScriptedModel())
        let (unknownModel, badInput) = try await harness.run { client in
            (try await client.post("/v2/models/nope/generate", #"{"text_input": "Hi"}"#),
             try await client.post("/v2/models/test-model/generate", #"{"text_input": "Hi", "beam_width": 4}"#))
        }
        #expect(unknownModel.status == 404)
        #expect((try unknownModel.json["error"] as? String)?.contains("`nope` does not exist") == true)
        #expect(badInput.status == 400)
        #expect((try badInput.json["error"] as? String)?.contains("'beam_width' is not supported") == true)
    }
}
