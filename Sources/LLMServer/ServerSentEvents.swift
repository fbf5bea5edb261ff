import Hummingbird

/// Server-sent event framing as OpenAI streams use it: one `data:` line of JSON per event,
/// a blank line after each, and `data: [DONE]` to end.
enum ServerSentEvents {
    static let headers: HTTPFields = [.contentType: "text/event-stream", .cacheControl: "no-cache"]

    static func event(_ value: any Encodable) throws -> ByteBuffer {
        var buffer = ByteBuffer(string: "data: ")
        buffer.writeBytes(try JSONBody.encode(value))
        buffer.writeString("\n\n")
        return buffer
    }

    static let done = ByteBuffer(string: "data: [DONE]\n\n")
}
