import Foundation

/// What the engine thread reports to one request's consumer, in order: outputs as they
/// are produced (the last output of each completion carries its whole result), then
/// `done` once every completion has finished, or `failed` instead.
public enum EngineEvent: Sendable {
    case output(GenerationOutput, result: GenerationResult?)
    case done
    case failed(Error)
}

/// Runs an ``InferenceEngine`` on a thread of its own, so blocking driver calls never
/// occupy the Swift concurrency pool. Requests cross in through a lock-protected inbox
/// and results leave through each request's sink, called on the engine thread (sinks
/// must return quickly and must not call back into ``shutdown(_:)``).
public final class EngineLoop: @unchecked Sendable {
    public typealias Sink = @Sendable (EngineEvent) -> Void

    public enum ShutdownMode: Sendable {
        /// Accept nothing new; run what is in flight to completion.
        case finishInFlight
        /// Accept nothing new; abort what is in flight (its consumers get `EngineError.stopped`).
        case cancelInFlight
    }

    private enum Command {
        case add(PreparedRequest, id: Int, sink: Sink)
        case abort(Int)
    }

    private struct Consumer {
        var sink: Sink
        var unfinished: Int
    }

    public let engine: InferenceEngine
    private let condition = NSCondition()
    private var inbox: [Command] = []
    private var nextRequestID = 0
    private var stopping: ShutdownMode?
    private var published: EngineMetrics
    private let exited = DispatchSemaphore(value: 0)
    private var joined = false

    public init(engine: InferenceEngine) {
        self.engine = engine
        published = engine.metrics
        // The thread holds no reference: were it to drop the last one as it ends, the
        // engine (and its device memory) would be torn down there, racing the owner's
        // thread, which may be exiting the process. `deinit` joins it first instead.
        let thread = Thread { [unowned(unsafe) self] in run() }
        thread.name = "swiftllm-engine"
        thread.stackSize = 8 << 20
        thread.start()
    }

    deinit { shutdown(.cancelInFlight) }

    /// Checks and tokenizes `request` on the calling thread (throwing its typed error
    /// there), then queues it. Returns the request id for ``abort(_:)``.
    @discardableResult
    public func submit(_ request: GenerationRequest, sink: @escaping Sink) throws -> Int {
        let prepared = try engine.prepare(request, arrival: EngineClock.now())
        condition.lock()
        defer { condition.unlock() }
        guard stopping == nil else { throw EngineError.stopped }
        let id = nextRequestID
        nextRequestID += 1
        inbox.append(.add(prepared, id: id, sink: sink))
        condition.signal()
        return id
    }

    /// Aborts a request at the next step boundary and frees its blocks; its sink hears
    /// nothing more. Unknown or finished ids are ignored.
    public func abort(_ id: Int) {
        condition.lock()
        inbox.append(.abort(id))
        condition.signal()
        condition.unlock()
    }

    /// The engine's counters after the last step.
    public func metrics() -> EngineMetrics {
        condition.lock()
        defer { condition.unlock() }
        return published
    }

    /// Stops the engine thread and waits for it. Later calls only wait.
    public func shutdown(_ mode: ShutdownMode) {
        condition.lock()
        if stopping == nil { stopping = mode }
        condition.signal()
        let wait = !joined
        joined = true
        condition.unlock()
        if wait { exited.wait() }
    }

    private func run() {
        var consumers = [Int: Consumer]()
        var idleSteps = 0
        while true {
            condition.lock()
            while inbox.isEmpty && !engine.hasWork && stopping == nil { condition.wait() }
            // A step that scheduled nothing (every waiting request blocked) waits for news.
            if idleSteps > 0 && inbox.isEmpty && stopping == nil { _ = condition.wait(until: Date().addingTimeInterval(0.001)) }
            let commands = inbox
            inbox.removeAll()
            let mode = stopping
            condition.unlock()

            for command in commands {
                switch command {
                case let .add(request, id, sink):
                    do {
                        try engine.add(request, id: id)
                        consumers[id] = Consumer(sink: sink, unfinished: request.params.n)
                    } catch {
                        sink(.failed(error))
                    }
                case let .abort(id):
                    engine.abort(id)
                    consumers[id] = nil
                }
            }
            if mode == .cancelInFlight {
                fail(&consumers, with: EngineError.stopped)
                break
            }
            if mode == .finishInFlight && !engine.hasWork { break }
            if engine.hasWork {
                let before = engine.stepCount
                do {
                    let outputs = try engine.step()
                    // Published before consumers hear of the step, so what they read matches.
                    publish()
                    for output in outputs {
                        guard var consumer = consumers[output.requestID] else { continue }
                        consumer.sink(.output(output.output, result: output.result))
                        if output.result != nil { consumer.unfinished -= 1 }
                        if consumer.unfinished == 0 {
                            consumer.sink(.done)
                            consumers[output.requestID] = nil
                        } else {
                            consumers[output.requestID] = consumer
                        }
                    }
                } catch {
                    // A failed forward leaves no request in a state worth continuing.
                    fail(&consumers, with: error)
                }
                idleSteps = engine.stepCount == before ? idleSteps + 1 : 0
            }
            publish()
        }
        publish()
        exited.signal()
    }

    private func fail(_ consumers: inout [Int: Consumer], with error: Error) {
        engine.abortAll()
        for consumer in consumers.values { consumer.sink(.failed(error)) }
        consumers.removeAll()
    }

    private func publish() {
        let snapshot = engine.metrics
        condition.lock()
        published = snapshot
        condition.unlock()
    }
}
