import Hummingbird
import Logging

/// Turns every error a route throws into a response with an OpenAI error body (Triton's
/// for `/v2/`): the server's own refusals as they are, Hummingbird's (an unknown route)
/// with their status, anything else as a logged 500.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return try apiError(for: error, request: request, context: context).response(from: request, context: context)
        }
    }

    func apiError(for error: any Error, request: Request, context: Context) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case is RequestAbort:
            // nginx's code for a client that closed the connection first; no one reads the body.
            return APIError(status: HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"),
                            message: "The client closed the connection.")
        case let error as HTTPError where error.status == .notFound:
            return APIError(status: .notFound, message: "No route for \(request.method) \(request.uri.path)", code: "not_found")
        case let error as HTTPError:
            return APIError(status: error.status, message: error.body ?? error.status.reasonPhrase)
        default:
            context.logger.error("Request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return .internalError("Internal error: \(error)")
        }
    }
}
