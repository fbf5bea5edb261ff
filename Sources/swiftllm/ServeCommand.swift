import ArgumentParser
import Foundation
import LLMServer
import Logging
import SwiftLLM

/// `swiftllm serve`: the model behind an OpenAI-compatible HTTP API, Triton's generate
/// extension, `/health` and Prometheus `/metrics`, until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serve a model over HTTP: OpenAI API, Triton generate, health checks and Prometheus metrics.")

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Address to listen on (0.0.0.0 for every interface).")
    var host = "127.0.0.1"

    @Option(name: .long, help: "Port to listen on (0 picks a free one).")
    var port = 8000

    @Option(name: .long, help: "Name clients use in 'model' (repeatable; default: the model file or folder name).")
    var servedModelName: [String] = []

    @Option(name: .long, help: "Require 'Authorization: Bearer KEY' (default: $SWIFTLLM_API_KEY, if set).")
    var apiKey: String?

    @Option(name: .long, help: "Most completions queued or running at once; beyond it requests get 429.")
    var maxQueued = 256

    @Option(name: .long, help: "Most choices ('n') one request may ask for.")
    var maxChoices = 16

    @Option(name: .long, help: "Largest request body in bytes.")
    var maxRequestBytes = 8 << 20

    @Option(name: .long, help: "Allow browsers on this origin to call the API (CORS); '*' allows any.")
    var cors: String?

    @Option(name: .long, help: "Seconds in-flight requests may run after SIGTERM/SIGINT before they are cancelled.")
    var shutdownGraceSeconds: Double = 30

    @Option(name: .long, help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel = "info"

    func run() async throws {
        let start = Date()
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        guard shutdownGraceSeconds >= 0, shutdownGraceSeconds <= 86_400 else {
            throw ValidationError("--shutdown-grace-seconds must be in 0...86400 seconds, got \(shutdownGraceSeconds)")
        }
        let names = servedModelName.isEmpty ? [URL(fileURLWithPath: modelOptions.model).lastPathComponent] : servedModelName
        let configuration = ServerConfiguration(
            host: host, port: port, servedModelNames: names, apiKey: apiKey ?? ProcessInfo.processInfo.environment["SWIFTLLM_API_KEY"],
            maxQueuedRequests: maxQueued, maxChoices: maxChoices, maxRequestBodyBytes: maxRequestBytes, corsOrigin: cors,
            shutdownGracePeriod: .milliseconds(Int(shutdownGraceSeconds * 1000)))
        do {
            try configuration.validate()
        } catch {
            throw ValidationError(error.description)
        }
        // A server's memory is fixed from the start: the KV cache is made resident now.
        let llm = try modelOptions.load(reserveKVCache: true)
        var logger = Logger(label: "swiftllm.server", factory: { StreamLogHandler.standardError(label: $0) })
        logger.logLevel = level
        let server = try ModelServer(model: llm, configuration: configuration, logger: logger)
        let host = self.host
        try await server.run { port in
            Terminal.note(String(format: "Ready in %.2f s: http://%@:%d serving '%@' (context %d tokens, at most %d completions at once)",
                                 Date().timeIntervalSince(start), host, port, configuration.primaryModelName, llm.maxModelLength,
                                 configuration.maxQueuedRequests))
            Terminal.note(Self.curlExample(host: host, port: port, model: configuration.primaryModelName, apiKey: configuration.apiKey != nil))
        }
        Terminal.note("Server stopped")
    }

    static func curlExample(host: String, port: Int, model: String, apiKey: Bool) -> String {
        let auth = apiKey ? " -H \"Authorization: Bearer $SWIFTLLM_API_KEY\"" : ""
        return """
            Try: curl http://\(host):\(port)/v1/chat/completions -H "Content-Type: application/json"\(auth) \\
                   -d '{"model": "\(model)", "messages": [{"role": "user", "content": "What is the capital of France?"}], "max_tokens": 32}'
            """
    }
}
