import Hummingbird
import Logging
import NIOHTTP1

/// Turns every error a route throws into a response with an OpenAI error body (Triton's
/// for `/v2/`): the server's own refusals as they are, Hummingbird's (an unknown route)
/// with their status, a body that does not parse as HTTP as a 400, anything else as a
/// logged 500.
struct ErrorBodyMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            var response = try apiError(for: error, request: request, context: context).response(from: request, context: context)
            // After a body that does not parse, the stream's next request cannot be found:
            // the connection ends with this reply, and the reply says so.
            if error is HTTPParserError { response.headers[.connection] = "close" }
            return response
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
        case let error as HTTPParserError:
            // The body failed to parse mid-request (a bad chunk header): the client's fault.
            return APIError(status: .badRequest, message: "Malformed HTTP request: \(error)")
        default:
            context.logger.error("Request failed", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return .internalError("Internal error: \(error)")
        }
    }
}
