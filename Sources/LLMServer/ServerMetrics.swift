import Prometheus

/// The server's Prometheus metrics: responses by endpoint and status, latency histograms
/// (time to first token, inter-token latency, end to end, all from the request's arrival),
/// token counters, finished completions by reason, and queue and cache gauges read when
/// scraped.
public final class ServerMetrics: Sendable {
    private let registry = PrometheusCollectorRegistry()
    let timeToFirstToken: ValueHistogram
    let interTokenLatency: ValueHistogram
    let endToEndLatency: ValueHistogram
    let promptTokens: Counter
    let generationTokens: Counter

    /// vLLM's bucket bounds, so dashboards built for it read these unchanged.
    static let timeToFirstTokenBuckets: [Double] = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5,
                                                    10, 20, 40, 80, 160, 640, 2560]
    static let interTokenBuckets: [Double] = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80]
    static let endToEndBuckets: [Double] = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680]

    public init() {
        timeToFirstToken = registry.makeValueHistogram(
            descriptor: Self.name("time_to_first_token", unit: "seconds", "Arrival of a request to the first token of each completion."),
            buckets: Self.timeToFirstTokenBuckets)
        interTokenLatency = registry.makeValueHistogram(
            descriptor: Self.name("inter_token_latency", unit: "seconds", "Time between consecutive steps of a completion."),
            buckets: Self.interTokenBuckets)
        endToEndLatency = registry.makeValueHistogram(
            descriptor: Self.name("e2e_request_latency", unit: "seconds", "Arrival of a request to the end of each completion."),
            buckets: Self.endToEndBuckets)
        promptTokens = registry.makeCounter(descriptor: Self.name("prompt_tokens", unit: "total", "Prompt tokens of admitted requests."))
        generationTokens = registry.makeCounter(descriptor: Self.name("generation_tokens", unit: "total", "Tokens generated."))
    }

    static func name(_ metric: String, unit: String = "", _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "swiftllm", metricName: metric, unitName: unit, helpText: help)
    }

    /// Counts a response by the route that answered it (its path pattern) and its status.
    func countResponse(route: String, status: Int) {
        registry.makeCounter(descriptor: Self.name("http_requests", unit: "total", "HTTP responses by route and status."),
                             labels: [("route", route), ("status", String(status))]).increment()
    }

    /// Counts a finished completion: `stop`, `length`, `abort` (client left or shutdown) or `error`.
    func countFinished(_ reason: String) {
        registry.makeCounter(descriptor: Self.name("request_finished", unit: "total", "Completions ended, by reason."),
                             labels: [("finished_reason", reason)]).increment()
    }

    /// The Prometheus text exposition, with gauges set from the queue and, when the engine
    /// provides one, its snapshot (whose counts of sequences replace the server's own).
    func render(admission: (waiting: Int, running: Int), engine: EngineSnapshot?) -> String {
        let running = engine?.runningSequences ?? admission.running
        let waiting = engine?.waitingSequences ?? admission.waiting
        registry.makeGauge(descriptor: Self.name("num_requests_running", "Completions generating (engine sequences when known).")).set(Double(running))
        registry.makeGauge(descriptor: Self.name("num_requests_waiting", "Completions waiting for their first token (engine queue when known).")).set(Double(waiting))
        registry.makeGauge(descriptor: Self.name("num_requests_admitted", "Completions holding a slot of the server's bounded queue."))
            .set(Double(admission.waiting + admission.running))
        if let engine {
            registry.makeGauge(descriptor: Self.name("kv_cache_usage", unit: "ratio", "Fraction of KV cache blocks in use.")).set(engine.kvCacheUsage)
            registry.makeGauge(descriptor: Self.name("prefix_cache_queries", unit: "tokens", "Prompt tokens looked up in the prefix cache."))
                .set(Double(engine.prefixQueriedTokens))
            registry.makeGauge(descriptor: Self.name("prefix_cache_hits", unit: "tokens", "Prompt tokens found in the prefix cache."))
                .set(Double(engine.prefixHitTokens))
            let rate = engine.prefixQueriedTokens > 0 ? Double(engine.prefixHitTokens) / Double(engine.prefixQueriedTokens) : 0
            registry.makeGauge(descriptor: Self.name("prefix_cache_hit", unit: "ratio", "Prefix cache hits over queries since start.")).set(rate)
        }
        return registry.emitToString()
    }
}
