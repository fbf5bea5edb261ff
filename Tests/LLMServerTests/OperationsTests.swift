import Foundation
import Hummingbird
import LLMServer
import Logging
import NIOCore
import NIOEmbedded
import Testing

/// Authentication, CORS, health, metrics, the bounded queue, shutdown and cancellation.
@Suite("Server operations")
struct OperationsTests {
    @Test("--api-key: inference needs the bearer key, health and metrics do not")
    func apiKey() async throws {
        let harness = try ServerHarness(model: ScriptedModel()) { $0.apiKey = "sekret" }
        let body = #"{"prompt": "Hi", "max_tokens": 2}"#
        let replies = try await harness.run { client in
            [try await client.post("/v1/completions", body),
             try await client.post("/v1/completions", body, headers: [.authorization: "Bearer wrong"]),
             try await client.post("/v1/completions", body, headers: [.authorization: "Bearer sekret"]),
             try await client.get("/v1/models"),
             try await client.post("/v2/models/test-model/generate", #"{"text_input": "Hi"}"#),
             try await client.get("/health"), try await client.get("/metrics"), try await client.get("/v2/health/ready")]
        }
        #expect(replies.map(\.status) == [401, 401, 200, 401, 401, 200, 200, 200])
        #expect(try replies[0].error.type == "invalid_request_error")
    }

    @Test("--cors adds the allowed origin and answers preflight requests")
    func cors() async throws {
        let harness = try ServerHarness(model: ScriptedModel()) { $0.corsOrigin = "*"; $0.apiKey = "k" }
        let (preflight, models) = try await harness.run { client in
            (try await client.send("/v1/chat/completions", method: .options, body: nil,
                                   headers: [.origin: "http://app.example", .accessControlRequestMethod: "POST"]),
             try await client.get("/v1/models", headers: [.origin: "http://app.example", .authorization: "Bearer k"]))
        }
        #expect(preflight.status == 204)
        #expect(preflight.headers[.accessControlAllowOrigin] == "*")
        #expect(preflight.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
        #expect(models.headers[.accessControlAllowOrigin] == "*")
    }

    @Test("Health and Triton readiness: 200 while serving, 503 once shutdown began")
    func health() async throws {
        let harness = try ServerHarness(model: ScriptedModel())
        let before = try await harness.run { client in
            [try await client.get("/health"), try await client.get("/v2/health/live"), try await client.get("/v2/health/ready"),
             try await client.get("/v2/models/test-model/ready"), try await client.get("/v2/models/other/ready")].map(\.status)
        }
        #expect(before == [200, 200, 200, 200, 404])
        harness.server.admission.beginDraining()
        let after = try await harness.run { client in
            [try await client.get("/health"), try await client.get("/v2/health/live"), try await client.get("/v2/health/ready"),
             try await client.post("/v1/completions", #"{"prompt": "Hi"}"#)]
        }
        #expect(after.map(\.status) == [503, 200, 503, 503])
        #expect(try after[3].error.message.contains("shutting down"))
        #expect(after[3].headers[.retryAfter] == "1")
    }

    @Test("Beyond the bounded queue requests get 429 with an OpenAI error body; the queue drains")
    func backpressure() async throws {
        let model = ScriptedModel(reply: "abc")
        model.hold(true)
        let harness = try ServerHarness(model: model) { $0.maxQueuedRequests = 3 }
        let statuses = try await harness.run { client in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<3 { group.addTask { try await client.post("/v1/completions", #"{"prompt": "Hi"}"#).status } }
                while harness.server.admission.counts.waiting < 3 { try await Task.sleep(for: .milliseconds(5)) }
                let refused = try await client.post("/v1/completions", #"{"prompt": "Hi"}"#)
                #expect(refused.status == 429)
                #expect(try refused.error.type == "rate_limit_error")
                #expect(try refused.error.message.contains("3 completions are already queued or running"))
                model.hold(false)
                return try await group.reduce(into: [refused.status]) { $0.append($1) }
            }
        }
        #expect(statuses.sorted() == [200, 200, 200, 429])
        #expect(harness.server.admission.counts == (0, 0))
    }

    @Test("A stream whose client goes away stops its request in the model and frees its slot")
    func cancelOnFailedWrite() async throws {
        let model = ScriptedModel(reply: String(repeating: "a", count: 100))
        model.hold(true)
        model.allow(5)
        let harness = try ServerHarness(model: model)
        let response = try await harness.server.makeRouter().buildResponder().respond(
            to: Self.request("/v1/completions", #"{"prompt": "Hi", "max_tokens": 100, "stream": true}"#),
            context: ServerRequestContext(source: .init(channel: NIOAsyncTestingChannel(), logger: Logger(label: "test"))))
        #expect(response.status == .ok)
        await #expect(throws: (any Error).self) { try await response.body.write(FailingWriter(writesBeforeFailure: 3)) }
        #expect(model.cancelledCount == 1)
        #expect(harness.server.admission.counts == (0, 0))
        let metrics = try await harness.run { try await $0.get("/metrics") }
        #expect(metrics.text.contains(#"swiftllm_request_finished_total{finished_reason="abort"} 1"#))
    }

    @Test("A client that closes its connection while its request waits cancels the request")
    func cancelOnClosedConnection() async throws {
        let model = ScriptedModel()
        model.hold(true)
        let harness = try ServerHarness(model: model)
        let channel = NIOAsyncTestingChannel()
        try await channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8000))
        let responder = harness.server.makeRouter().buildResponder()
        let request = Task {
            try await responder.respond(to: Self.request("/v1/completions", #"{"prompt": "Hi"}"#),
                                        context: ServerRequestContext(source: .init(channel: channel, logger: Logger(label: "test"))))
        }
        while model.startedCount == 0 { try await Task.sleep(for: .milliseconds(5)) }
        try await channel.close()
        // nginx's 499: no one is there to read it.
        #expect(try await request.value.status.code == 499)
        #expect(model.cancelledCount == 1)
        #expect(harness.server.admission.counts == (0, 0))
    }

    @Test("/metrics: Prometheus text with request counts, latency histograms and token counters; back to idle after requests")
    func metrics() async throws {
        let harness = try ServerHarness(model: ScriptedModel(reply: "abcd"))
        let text = try await harness.run { client in
            _ = try await client.post("/v1/completions", #"{"prompt": "Hi", "n": 2}"#)
            _ = try await client.post("/v1/completions", #"{"prompt": "Hi", "max_tokens": 2, "stream": true}"#)
            _ = try await client.post("/v1/completions", #"{"prompt": "Hi", "max_tokens": -1}"#)
            return try await client.get("/metrics").text
        }
        for line in [
            #"swiftllm_http_requests_total{route="/v1/completions",status="200"} 2"#,
            #"swiftllm_http_requests_total{route="/v1/completions",status="400"} 1"#,
            "swiftllm_time_to_first_token_seconds_count 3",
            "swiftllm_e2e_request_latency_seconds_count 3",
            "swiftllm_inter_token_latency_seconds_count \(2 * 4 + 1)",
            "swiftllm_prompt_tokens_total 6",
            "swiftllm_generation_tokens_total \(2 * 5 + 2)",
            #"swiftllm_request_finished_total{finished_reason="stop"} 2"#,
            #"swiftllm_request_finished_total{finished_reason="length"} 1"#,
            "swiftllm_num_requests_running 0", "swiftllm_num_requests_waiting 0",
            "# TYPE swiftllm_time_to_first_token_seconds histogram",
        ] {
            #expect(text.contains(line), "\(line)")
        }
    }

    @Test("Triton generate: text_output with the input before it, sampling inputs in parameters; generate_stream sends deltas")
    func tritonGenerate() async throws {
        let model = ScriptedModel()
        let harness = try ServerHarness(model: model)
        let (plain, excluded, streamed) = try await harness.run { client in
            (try await client.post("/v2/models/test-model/generate", #"{"text_input": "Q: ", "max_tokens": 5, "parameters": {"temperature": 0}}"#),
             try await client.post("/v2/models/test-model/generate",
                                   #"{"text_input": "Q: ", "max_tokens": 5, "exclude_input_in_output": true, "return_log_probs": true, "id": "r1"}"#),
             try await client.post("/v2/models/test-model/generate_stream", #"{"text_input": "Q: ", "max_tokens": 3}"#))
        }
        #expect(try plain.json["text_output"] as? String == "Q: Paris")
        #expect(try plain.json["model_name"] as? String == "test-model")
        #expect(try plain.json["model_version"] as? String == "1")
        #expect(try excluded.json["text_output"] as? String == "Paris")
        #expect(try excluded.json["id"] as? String == "r1")
        #expect(try excluded.json["output_log_probs"] as? [Double] == [-0.5, -0.5, -0.5, -0.5, -0.5])
        #expect(try excluded.json["cum_log_probs"] as? Double == -2.5)
        #expect(streamed.headers[.contentType] == "text/event-stream")
        #expect(try streamed.eventObjects.map { $0["text_output"] as? String } == ["P", "a", "r"])
        #expect(!streamed.text.contains("[DONE]"))
    }

    static func request(_ path: String, _ body: String) -> Request {
        Request(head: HTTPRequest(method: .post, scheme: "http", authority: "localhost", path: path),
                body: RequestBody(buffer: ByteBuffer(string: body)))
    }
}

/// A response writer whose connection breaks after a few writes.
struct FailingWriter: ResponseBodyWriter {
    var writesBeforeFailure: Int

    mutating func write(_ buffer: ByteBuffer) async throws {
        guard writesBeforeFailure > 0 else { throw ChannelError.ioOnClosedChannel }
        writesBeforeFailure -= 1
    }

    consuming func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
