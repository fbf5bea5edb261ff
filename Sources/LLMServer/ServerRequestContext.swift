import Hummingbird

/// Hummingbird's per-request context, plus the connection the request came on.
public struct ServerRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// nil when the request did not come over an open connection (in-process tests).
    let connection: ClientConnection?

    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        connection = ClientConnection(channel: source.channel)
    }
}
