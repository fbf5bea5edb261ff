/// How a `ModelServer` listens, whom it serves and how much it takes on.
public struct ServerConfiguration: Sendable {
    /// Address to bind (`127.0.0.1` keeps the server local; `0.0.0.0` serves the network).
    public var host: String
    /// TCP port; 0 picks a free one (the ready callback reports it).
    public var port: Int
    /// Names clients may put in `model`; the first is the one responses carry when a request
    /// names none.
    public var servedModelNames: [String]
    /// When set, inference endpoints require `Authorization: Bearer <apiKey>`.
    public var apiKey: String?
    /// Most completions queued or running at once (a request with `n` choices takes `n`);
    /// beyond it requests are refused with 429.
    public var maxQueuedRequests: Int
    /// Most choices (`n`) one request may ask for.
    public var maxChoices: Int
    /// Largest request body accepted, in bytes.
    public var maxRequestBodyBytes: Int
    /// The origin browsers may call from (CORS): nil turns CORS off, `*` allows every origin.
    public var corsOrigin: String?
    /// How long in-flight requests may run after SIGTERM/SIGINT before they are cancelled.
    public var shutdownGracePeriod: Duration

    public init(host: String = "127.0.0.1", port: Int = 8000, servedModelNames: [String], apiKey: String? = nil,
                maxQueuedRequests: Int = 256, maxChoices: Int = 16, maxRequestBodyBytes: Int = 8 << 20,
                corsOrigin: String? = nil, shutdownGracePeriod: Duration = .seconds(30)) {
        self.host = host
        self.port = port
        self.servedModelNames = servedModelNames
        self.apiKey = apiKey
        self.maxQueuedRequests = maxQueuedRequests
        self.maxChoices = maxChoices
        self.maxRequestBodyBytes = maxRequestBodyBytes
        self.corsOrigin = corsOrigin
        self.shutdownGracePeriod = shutdownGracePeriod
    }

    /// The model name responses carry.
    public var primaryModelName: String { servedModelNames.first ?? "default" }

    /// The served name a request asks for (the primary one when it names none).
    func servedModel(_ requested: String?) throws(APIError) -> String {
        let name = requested ?? primaryModelName
        guard servedModelNames.contains(name) else { throw .modelNotFound(name) }
        return name
    }

    /// Checks the values a command line can get wrong.
    public func validate() throws(ServerConfigurationError) {
        guard !servedModelNames.isEmpty, servedModelNames.allSatisfy({ !$0.isEmpty }) else {
            throw .invalid("served model names must be non-empty")
        }
        guard (0...65535).contains(port) else { throw .invalid("port must be in 0...65535, got \(port)") }
        guard maxQueuedRequests >= 1 else { throw .invalid("max queued requests must be at least 1, got \(maxQueuedRequests)") }
        guard maxChoices >= 1 else { throw .invalid("max choices must be at least 1, got \(maxChoices)") }
        guard maxRequestBodyBytes >= 1024 else { throw .invalid("max request body must be at least 1024 bytes, got \(maxRequestBodyBytes)") }
        if let apiKey, apiKey.isEmpty { throw .invalid("the API key must not be empty") }
    }
}

/// A server setting out of range, or an address the server cannot listen on.
public enum ServerConfigurationError: Error, Equatable, CustomStringConvertible {
    case invalid(String)
    case cannotListen(host: String, port: Int, reason: String)

    public var description: String {
        switch self {
        case let .invalid(reason): return reason
        case let .cannotListen(host, port, reason): return "cannot listen on \(host):\(port): \(reason)"
        }
    }
}
