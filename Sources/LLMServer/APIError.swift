import Foundation
import Hummingbird

/// A request the server refuses, with the HTTP status and the fields of OpenAI's error
/// body: `{"error": {"message", "type", "param", "code"}}`. Triton endpoints (`/v2/...`)
/// carry the same message as `{"error": "message"}`.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String
    /// OpenAI's error type: `invalid_request_error`, `rate_limit_error`, `server_error`.
    public var type: String
    /// The request field at fault, when one is.
    public var param: String?
    /// A machine-readable reason (`model_not_found`, `unsupported_parameter`, ...).
    public var code: String?

    public init(status: HTTPResponse.Status, message: String, type: String = "invalid_request_error", param: String? = nil, code: String? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
    }

    public var description: String { "\(status.code) \(message)" }

    /// A malformed or out-of-range request (400).
    public static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> APIError {
        APIError(status: .badRequest, message: message, param: param, code: code)
    }

    /// A parameter the server knows but does not implement (400).
    public static func unsupported(_ param: String, _ reason: String = "is not supported by this server") -> APIError {
        APIError(status: .badRequest, message: "'\(param)' \(reason)", param: param, code: "unsupported_parameter")
    }

    static func modelNotFound(_ name: String) -> APIError {
        APIError(status: .notFound, message: "The model `\(name)` does not exist.", param: "model", code: "model_not_found")
    }

    static let unauthorized = APIError(status: .unauthorized, message: "Incorrect or missing API key: send 'Authorization: Bearer <key>'.",
                                       code: "invalid_api_key")

    static func busy(limit: Int) -> APIError {
        APIError(status: .tooManyRequests, message: "The server is busy: \(limit) completions are already queued or running. Retry later.",
                 type: "rate_limit_error", code: "server_busy")
    }

    static let shuttingDown = APIError(status: .serviceUnavailable, message: "The server is shutting down.", type: "server_error",
                                       code: "shutting_down")

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(status: .contentTooLarge, message: "The request body is larger than \(limit) bytes.", code: "request_too_large")
    }

    static func internalError(_ message: String) -> APIError {
        APIError(status: .internalServerError, message: message, type: "server_error")
    }
}

extension APIError: HTTPResponseError {
    /// OpenAI's error body, or Triton's for `/v2/` paths.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = HTTPFields()
        if status == .tooManyRequests || status == .serviceUnavailable { headers[.retryAfter] = "1" }
        if request.uri.path.hasPrefix("/v2/") { return try JSONBody.response(TritonErrorBody(error: message), status: status, headers: headers) }
        return try JSONBody.response(openAIBody, status: status, headers: headers)
    }

    /// `{"error": {...}}`, also sent as a server-sent event when a stream fails after it began.
    var openAIBody: OpenAIErrorBody {
        OpenAIErrorBody(error: .init(message: message, type: type, param: param, code: code))
    }
}

struct OpenAIErrorBody: Encodable {
    struct Detail: Encodable {
        var message: String
        var type: String
        var param: String?
        var code: String?

        func encode(to encoder: any Encoder) throws {
            // OpenAI writes `param` and `code` as null rather than leaving them out.
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(message, forKey: .message)
            try container.encode(type, forKey: .type)
            try container.encode(param, forKey: .param)
            try container.encode(code, forKey: .code)
        }

        private enum CodingKeys: String, CodingKey { case message, type, param, code }
    }

    var error: Detail
}

struct TritonErrorBody: Encodable {
    var error: String
}
