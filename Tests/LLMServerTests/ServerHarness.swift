import Foundation
import Hummingbird
import HummingbirdTesting
import LLMServer
import Logging

/// A server over a model, driven in-process through HummingbirdTesting's router client.
struct ServerHarness {
    let server: ModelServer

    static let modelName = "test-model"

    init(model: any ServingModel, configure: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var configuration = ServerConfiguration(servedModelNames: [Self.modelName], maxQueuedRequests: 8, maxChoices: 4,
                                                maxRequestBodyBytes: 64 << 10)
        configure(&configuration)
        var logger = Logger(label: "swiftllm.server.tests")
        logger.logLevel = .critical
        server = try ModelServer(model: model, configuration: configuration, logger: logger)
    }

    /// Runs `body` with a client of the router.
    func run<Value: Sendable>(_ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        try await server.makeApplication().test(.router) { client in try await body(client) }
    }
}

/// A response as tests read it.
struct Reply: Sendable {
    var status: Int
    var headers: HTTPFields
    var text: String

    /// The body as a JSON object.
    var json: [String: Any] {
        get throws {
            let value = try JSONSerialization.jsonObject(with: Data(text.utf8))
            guard let object = value as? [String: Any] else { throw ReplyError.notAnObject(text) }
            return object
        }
    }

    /// The `data:` payloads of a server-sent event stream, in order (`[DONE]` included).
    var events: [String] {
        text.components(separatedBy: "\n\n").filter { !$0.isEmpty }.map { event in
            event.hasPrefix("data: ") ? String(event.dropFirst("data: ".count)) : "<bad frame: \(event)>"
        }
    }

    /// The JSON events of a stream (all but `[DONE]`).
    var eventObjects: [[String: Any]] {
        get throws {
            try events.filter { $0 != "[DONE]" }.map { event in
                guard let object = try JSONSerialization.jsonObject(with: Data(event.utf8)) as? [String: Any] else { throw ReplyError.notAnObject(event) }
                return object
            }
        }
    }

    /// OpenAI's error body: `error.message`, `error.type`, `error.param`.
    var error: (message: String, type: String, param: String?) {
        get throws {
            guard let error = try json["error"] as? [String: Any], let message = error["message"] as? String, let type = error["type"] as? String
            else { throw ReplyError.notAnError(text) }
            return (message, type, error["param"] as? String)
        }
    }
}

enum ReplyError: Error {
    case notAnObject(String)
    case notAnError(String)
}

extension TestClientProtocol {
    func post(_ path: String, _ body: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(path, method: .post, body: ByteBuffer(string: body), headers: headers)
    }

    func post(_ path: String, bytes: [UInt8]) async throws -> Reply {
        try await send(path, method: .post, body: ByteBuffer(bytes: bytes), headers: [:])
    }

    func get(_ path: String, headers: HTTPFields = [:]) async throws -> Reply {
        try await send(path, method: .get, body: nil, headers: headers)
    }

    func send(_ path: String, method: HTTPRequest.Method, body: ByteBuffer?, headers: HTTPFields) async throws -> Reply {
        var headers = headers
        if body != nil, headers[.contentType] == nil { headers[.contentType] = "application/json" }
        return try await execute(uri: path, method: method, headers: headers, body: body) { response in
            Reply(status: response.status.code, headers: response.headers, text: String(decoding: response.body.readableBytesView, as: UTF8.self))
        }
    }
}
