import Hummingbird

/// Counts every response by the route pattern that answered it and its status.
struct ResponseCountingMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let response = try await next(request, context)
        metrics.countResponse(route: context.endpointPath ?? "unmatched", status: response.status.code)
        return response
    }
}
