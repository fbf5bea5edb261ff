import Foundation
import Hummingbird

/// JSON bodies of responses and server-sent events.
enum JSONBody {
    /// Keys sorted (the same bytes every time), no escaped slashes.
    static func encode(_ value: any Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func response(_ value: any Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: try encode(value))))
    }
}
