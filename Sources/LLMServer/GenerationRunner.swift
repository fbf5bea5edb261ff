import SwiftLLM

/// One engine step of one choice of a request.
struct ChoiceStep: Sendable {
    var index: Int
    var step: GeneratedStep
}

/// Everything one choice produced.
struct ChoiceResult: Sendable {
    var text = ""
    var tokenIDs: [Int] = []
    var tokens: [SampledToken] = []
    var finishReason: FinishReason?
}

/// Why a request stopped before its completions finished.
enum RequestAbort: Error {
    /// The client closed the connection.
    case clientDisconnected
    /// Writing the response failed (the client is gone).
    case responseWriteFailed(any Error)
}

/// Runs the choices of a request at once on the model, hands each step on as it arrives,
/// and records the request in the metrics. Cancelling the calling task, a client that
/// disconnects, or a failed write stops every choice and so aborts them in the engine.
struct GenerationRunner: Sendable {
    let model: any ServingModel
    let metrics: ServerMetrics

    /// - Parameters:
    ///   - arrival: when the request arrived; latencies count from it.
    ///   - ticket: the request's queue slots, given back when this returns.
    ///   - onStep: called on the calling task for every step, in arrival order.
    /// - Returns: each choice's text, tokens and finish reason, in choice order.
    func run(_ job: GenerationJob, arrival: ContinuousClock.Instant, ticket: AdmissionTicket, connection: ClientConnection?,
             onStep: (ChoiceStep) async throws -> Void) async throws -> [ChoiceResult] {
        defer { ticket.release() }
        metrics.promptTokens.increment(by: Int64(job.promptTokenCount))
        var results = [ChoiceResult](repeating: ChoiceResult(), count: job.choiceCount)
        var lastStepAt = [ContinuousClock.Instant?](repeating: nil, count: job.choiceCount)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                let (steps, sink) = AsyncThrowingStream.makeStream(of: ChoiceStep.self, throwing: (any Error).self)
                group.addTask { [model] in
                    do {
                        try await withThrowingTaskGroup(of: Void.self) { choices in
                            for index in 0..<job.choiceCount {
                                choices.addTask {
                                    for try await step in model.steps(for: job.request(forChoice: index)) {
                                        sink.yield(ChoiceStep(index: index, step: step))
                                    }
                                }
                            }
                            try await choices.waitForAll()
                        }
                        sink.finish()
                    } catch {
                        sink.finish(throwing: error)
                    }
                }
                if let connection {
                    group.addTask {
                        try await connection.waitUntilClosed()
                        sink.finish(throwing: RequestAbort.clientDisconnected)
                    }
                }
                for try await event in steps {
                    record(event, arrival: arrival, lastStepAt: &lastStepAt, ticket: ticket)
                    results[event.index].text += event.step.text
                    results[event.index].tokenIDs += event.step.tokenIDs
                    results[event.index].tokens += event.step.tokens
                    results[event.index].finishReason = event.step.finishReason
                    do {
                        try await onStep(event)
                    } catch {
                        throw RequestAbort.responseWriteFailed(error)
                    }
                }
                group.cancelAll()
            }
        } catch {
            let reason = error is RequestAbort || error is CancellationError ? "abort" : "error"
            for result in results where result.finishReason == nil { metrics.countFinished(reason) }
            throw error
        }
        return results
    }

    private func record(_ event: ChoiceStep, arrival: ContinuousClock.Instant, lastStepAt: inout [ContinuousClock.Instant?],
                        ticket: AdmissionTicket) {
        let now = ContinuousClock.now
        if let last = lastStepAt[event.index] {
            metrics.interTokenLatency.record((now - last).seconds)
        } else {
            metrics.timeToFirstToken.record((now - arrival).seconds)
            ticket.completionStarted()
        }
        lastStepAt[event.index] = now
        metrics.generationTokens.increment(by: Int64(event.step.tokenIDs.count))
        if let reason = event.step.finishReason {
            metrics.endToEndLatency.record((now - arrival).seconds)
            metrics.countFinished(reason.openAIName)
        }
    }
}

extension Duration {
    /// The duration in seconds, as metrics and logs report it.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
