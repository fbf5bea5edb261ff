import Foundation
import Hummingbird
import Logging
import NIOCore

/// What every generating endpoint does before it generates: read the body, admit the
/// request, name it.
extension ModelServer {
    /// The request body as JSON fields, within the size limit.
    func readFields(_ request: Request) async throws -> RequestFields {
        let limit = configuration.maxRequestBodyBytes
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > limit { throw APIError.bodyTooLarge(limit: limit) }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: limit)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: limit)
        }
        return try RequestFields(body: body)
    }

    /// A place in the bounded queue for every completion of `job`.
    func admit(_ job: GenerationJob) throws(APIError) -> AdmissionTicket {
        guard job.choiceCount <= admission.limit else {
            throw .invalidRequest("This request asks for \(job.choiceCount) completions; the server runs at most \(admission.limit) at once.",
                                  param: "n")
        }
        return try admission.admit(job.choiceCount)
    }

    /// A fresh id with OpenAI's prefixes (`cmpl-`, `chatcmpl-`).
    static func requestID(prefix: String) -> String {
        prefix + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
    }

    func header(id: String, model: String) -> ResponseHeader {
        ResponseHeader(id: id, created: Int(Date().timeIntervalSince1970), model: model, systemFingerprint: systemFingerprint)
    }

    /// The request's logger, with its id on every line.
    func requestLogger(_ context: some RequestContext, id: String) -> Logger {
        var logger = context.logger
        logger[metadataKey: "request_id"] = "\(id)"
        return logger
    }

    /// One line per finished request: what it asked, what it got, how long it took.
    static func logFinished(_ logger: Logger, job: GenerationJob, results: [ChoiceResult], arrival: ContinuousClock.Instant) {
        let reasons = results.map { $0.finishReason?.openAIName ?? "none" }.joined(separator: ",")
        logger.info("Request finished", metadata: [
            "prompt_tokens": "\(job.promptTokenCount)",
            "completion_tokens": "\(results.reduce(0) { $0 + $1.tokenIDs.count })",
            "finish_reasons": "\(reasons)",
            "seconds": "\(String(format: "%.3f", (ContinuousClock.now - arrival).seconds))",
        ])
    }
}
