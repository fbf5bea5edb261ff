import Foundation
import Hummingbird
import Logging

/// `/v1/completions`, `/v1/chat/completions` and `/v1/models`.
extension ModelServer {
    func addOpenAIRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v1/completions") { request, context in try await self.completions(request, context: context) }
        router.post("/v1/chat/completions") { request, context in try await self.chatCompletions(request, context: context) }
        router.get("/v1/models") { _, _ in try self.modelList() }
    }

    func completions(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let arrival = ContinuousClock.now
        let parsed = try CompletionRequest(try await readFields(request), model: model, configuration: configuration)
        let id = Self.requestID(prefix: "cmpl-")
        let format = TextCompletionFormat(header: header(id: id, model: parsed.delivery.model), includeUsage: parsed.delivery.includeUsage,
                                          logprobs: parsed.logprobs.map { _ in LogprobFormatter(model: model) },
                                          choiceCount: parsed.job.choiceCount)
        return try await respond(parsed.job, delivery: parsed.delivery, format: format, arrival: arrival, context: context,
                                 logger: requestLogger(context, id: id))
    }

    func chatCompletions(_ request: Request, context: ServerRequestContext) async throws -> Response {
        let arrival = ContinuousClock.now
        let parsed = try ChatCompletionRequest(try await readFields(request), model: model, configuration: configuration)
        let id = Self.requestID(prefix: "chatcmpl-")
        let format = ChatCompletionFormat(header: header(id: id, model: parsed.delivery.model), includeUsage: parsed.delivery.includeUsage,
                                          logprobs: parsed.topLogprobs.map { _ in LogprobFormatter(model: model) })
        return try await respond(parsed.job, delivery: parsed.delivery, format: format, arrival: arrival, context: context,
                                 logger: requestLogger(context, id: id))
    }

    /// Admits and runs `job`, answering with one JSON response or a stream of chunks.
    func respond(_ job: GenerationJob, delivery: DeliveryOptions, format: some CompletionFormat, arrival: ContinuousClock.Instant,
                 context: ServerRequestContext, logger: Logger) async throws -> Response {
        let ticket = try admit(job)
        logger.info("Request admitted", metadata: [
            "path": "\(context.endpointPath ?? "")", "prompt_tokens": "\(job.promptTokenCount)",
            "max_tokens": "\(job.params.maxTokens ?? 0)", "n": "\(job.choiceCount)", "stream": "\(delivery.stream)",
        ])
        if delivery.stream {
            return streamingResponse(job, format: format, ticket: ticket, arrival: arrival, connection: context.connection, logger: logger)
        }
        let results: [ChoiceResult]
        do {
            results = try await runner.run(job, arrival: arrival, ticket: ticket, connection: context.connection) { _ in }
        } catch let abort as RequestAbort {
            logger.info("Client disconnected; request cancelled")
            throw abort
        } catch {
            throw APIError(generationError: error)
        }
        Self.logFinished(logger, job: job, results: results, arrival: arrival)
        return try JSONBody.response(format.response(results, usage: Usage(job: job, results: results)))
    }

    /// Chunks as server-sent events, then `data: [DONE]` where the format has it. A failure after the stream began
    /// is sent as an error event; a client that left ends the stream and its request.
    func streamingResponse(_ job: GenerationJob, format: some CompletionFormat, ticket: AdmissionTicket, arrival: ContinuousClock.Instant,
                           connection: ClientConnection?, logger: Logger) -> Response {
        let runner = self.runner
        return Response(status: .ok, headers: ServerSentEvents.headers, body: ResponseBody { writer in
            var format = format
            let results: [ChoiceResult]
            do {
                for chunk in format.openingChunks(choiceCount: job.choiceCount) { try await writer.write(ServerSentEvents.event(chunk)) }
                results = try await runner.run(job, arrival: arrival, ticket: ticket, connection: connection) { event in
                    try await writer.write(ServerSentEvents.event(format.chunk(for: event)))
                }
            } catch let abort as RequestAbort {
                logger.info("Client disconnected; request cancelled")
                throw abort
            } catch {
                let failure = APIError(generationError: error)
                logger.error("Request failed while streaming", metadata: ["error": "\(failure.message)"])
                try await writer.write(ServerSentEvents.event(format.errorChunk(failure)))
                if format.endsWithDone { try await writer.write(ServerSentEvents.done) }
                try await writer.finish(nil)
                return
            }
            for chunk in format.closingChunks(usage: Usage(job: job, results: results)) { try await writer.write(ServerSentEvents.event(chunk)) }
            if format.endsWithDone { try await writer.write(ServerSentEvents.done) }
            try await writer.finish(nil)
            Self.logFinished(logger, job: job, results: results, arrival: arrival)
        })
    }

    func modelList() throws -> Response {
        let models = configuration.servedModelNames.map {
            ModelCard(id: $0, created: startedAt, maxModelLength: model.maxModelLength)
        }
        return try JSONBody.response(ModelList(data: models))
    }
}

/// `GET /v1/models`.
struct ModelList: Encodable {
    var object = "list"
    var data: [ModelCard]
}

struct ModelCard: Encodable {
    var id: String
    var object = "model"
    var created: Int
    var ownedBy = "swiftllm"
    /// vLLM's extension: prompt plus completion tokens one request may reach.
    var maxModelLength: Int

    init(id: String, created: Int, maxModelLength: Int) {
        self.id = id
        self.created = created
        self.maxModelLength = maxModelLength
    }

    private enum CodingKeys: String, CodingKey {
        case id, object, created, ownedBy = "owned_by", maxModelLength = "max_model_len"
    }
}
