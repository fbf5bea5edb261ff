import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import UnixSignals

/// `swiftllm serve`: the OpenAI API (`/v1/completions`, `/v1/chat/completions`,
/// `/v1/models`), vLLM's `/tokenize` and `/detokenize`, Triton's generate extension
/// (`/v2/...`), and `/health` and `/metrics`, over one model.
public final class ModelServer: Sendable {
    public let model: any ServingModel
    public let configuration: ServerConfiguration
    public let metrics: ServerMetrics
    public let admission: AdmissionControl
    let logger: Logger
    /// Names this model and its limits, so clients can tell when what serves them changed.
    let systemFingerprint: String
    /// When the server started, in Unix seconds (`created` of `/v1/models`).
    let startedAt: Int

    /// Throws ``ServerConfigurationError`` for a configuration no server can run with.
    // Untyped `throws`, with the model read before any property is set: Swift 6.3.1's
    // optimiser miscompiled the typed-throws form of this initialiser (release builds
    // crashed reading the model's limits).
    public init(model: any ServingModel, configuration: ServerConfiguration, logger: Logger) throws {
        try configuration.validate()
        let fingerprint = Self.fingerprint("SwiftLLM|\(configuration.primaryModelName)|\(model.maxModelLength)|\(model.vocabularySize)")
        self.model = model
        self.configuration = configuration
        self.logger = logger
        metrics = ServerMetrics()
        admission = AdmissionControl(limit: configuration.maxQueuedRequests)
        systemFingerprint = fingerprint
        startedAt = Int(Date().timeIntervalSince1970)
    }

    /// `fp_` and ten hex digits of a 64-bit FNV-1a hash, in the shape OpenAI's have.
    static func fingerprint(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return "fp_" + String(String(hash, radix: 16).suffix(10))
    }

    var runner: GenerationRunner { GenerationRunner(model: model, metrics: metrics) }

    /// Every route behind the middleware: response counting, CORS when configured, error
    /// bodies, then the API key check.
    public func makeRouter() -> Router<ServerRequestContext> {
        let router = Router(context: ServerRequestContext.self)
        router.add(middleware: ResponseCountingMiddleware(metrics: metrics))
        if let corsOrigin = configuration.corsOrigin {
            let origin: CORSMiddleware<ServerRequestContext>.AllowOriginExtended = corsOrigin == "*" ? .all : .custom(corsOrigin)
            router.add(middleware: CORSMiddleware(allowOrigin: origin, allowHeaders: [.accept, .authorization, .contentType, .origin],
                                                  allowMethods: [.get, .post, .options]))
        }
        router.add(middleware: ErrorBodyMiddleware(logger: logger))
        if let apiKey = configuration.apiKey { router.add(middleware: APIKeyMiddleware(apiKey: apiKey)) }
        addOpenAIRoutes(to: router)
        addTokenizerRoutes(to: router)
        addTritonRoutes(to: router)
        addOperationsRoutes(to: router)
        return router
    }

    /// The application on the configured address; `onReady` gets the bound port.
    public func makeApplication(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(configuration.host, port: configuration.port), serverName: "SwiftLLM"),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: new requests get 503,
    /// the listener closes, requests in flight finish, and after the grace period those
    /// still running are cancelled. Returns once everything has stopped.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        // Services shut down last to first: the notice flips admission to 503 before the
        // server starts waiting for its connections to finish.
        var group = ServiceGroupConfiguration(
            services: [makeApplication(onReady: onReady), ShutdownNotice(admission: admission, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        group.maximumGracefulShutdownDuration = configuration.shutdownGracePeriod
        group.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: group).run()
        } catch let error as IOError where [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(error.errnoCode) {
            // The socket's own message names neither the address nor the port.
            throw ServerConfigurationError.cannotListen(host: configuration.host, port: configuration.port,
                                                        reason: String(cString: strerror(error.errnoCode)))
        }
    }
}

/// Turns admission to 503 when shutdown begins.
struct ShutdownNotice: Service {
    let admission: AdmissionControl
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        let (waiting, running) = admission.counts
        logger.info("Shutting down: refusing new requests", metadata: ["waiting": "\(waiting)", "running": "\(running)"])
        admission.beginDraining()
    }
}
