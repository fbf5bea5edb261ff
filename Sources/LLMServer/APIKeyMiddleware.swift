import Hummingbird

/// Requires `Authorization: Bearer <key>` on every endpoint but the health checks and
/// metrics, which load balancers and Prometheus call without credentials.
struct APIKeyMiddleware<Context: RequestContext>: RouterMiddleware {
    let apiKey: String

    static func isOpen(_ path: String) -> Bool {
        path == "/health" || path == "/metrics" || path.hasPrefix("/v2/health/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.isOpen(request.uri.path) || authorized(request.headers[.authorization]) else { throw APIError.unauthorized }
        return try await next(request, context)
    }

    /// Compares every byte whatever the first mismatch, so timing tells nothing about the key.
    func authorized(_ header: String?) -> Bool {
        guard let header, header.hasPrefix("Bearer ") else { return false }
        let given = Array(header.dropFirst("Bearer ".count).utf8), expected = Array(apiKey.utf8)
        var difference = given.count ^ expected.count
        for index in expected.indices {
            difference |= Int(expected[index] ^ (index < given.count ? given[index] : 0))
        }
        return difference == 0
    }
}
