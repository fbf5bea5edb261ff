import Hummingbird

/// `/health` for load balancers and `/metrics` for Prometheus.
extension ModelServer {
    /// 200 while requests are taken, 503 once shutdown began (also Triton's readiness).
    var readiness: HTTPResponse.Status { admission.isDraining ? .serviceUnavailable : .ok }

    func addOperationsRoutes(to router: Router<ServerRequestContext>) {
        router.get("/health") { _, _ in self.readiness }
        router.get("/metrics") { _, _ in
            let text = self.metrics.render(admission: self.admission.counts, engine: self.model.engineSnapshot())
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
