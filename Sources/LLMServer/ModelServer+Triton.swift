import Foundation
import Hummingbird

/// Triton Inference Server's generate extension and health endpoints, so Triton- and
/// Dynamo-style front ends can drive the model.
extension ModelServer {
    func addTritonRoutes(to router: Router<ServerRequestContext>) {
        router.post("/v2/models/{name}/generate") { request, context in try await self.tritonGenerate(request, context: context, stream: false) }
        router.post("/v2/models/{name}/generate_stream") { request, context in
            try await self.tritonGenerate(request, context: context, stream: true)
        }
        router.get("/v2/health/live") { _, _ in HTTPResponse.Status.ok }
        router.get("/v2/health/ready") { _, _ in self.readiness }
        router.get("/v2/models/{name}/ready") { _, context in
            _ = try self.configuration.servedModel(context.parameters.get("name"))
            return self.readiness
        }
    }

    func tritonGenerate(_ request: Request, context: ServerRequestContext, stream: Bool) async throws -> Response {
        let arrival = ContinuousClock.now
        let name = try configuration.servedModel(context.parameters.get("name"))
        let parsed = try TritonGenerateRequest(try await readFields(request), model: model)
        let format = TritonFormat(modelName: name, id: parsed.id, outputPrefix: parsed.outputPrefix, returnLogprobs: parsed.returnLogprobs)
        let delivery = DeliveryOptions(model: name, choices: 1, stream: stream, includeUsage: false)
        return try await respond(parsed.job, delivery: delivery, format: format, arrival: arrival, context: context,
                                 logger: requestLogger(context, id: parsed.id ?? Self.requestID(prefix: "triton-")))
    }
}
