import LLMRuntime

/// A recorded stretch of stream work (a decode step's kernels and GEMMs) replayed with
/// one launch, so the host no longer issues hundreds of launches per token. Replays
/// read and write the same device addresses the capture saw.
final class CUDAGraph: RecordedWork, @unchecked Sendable {
    let device: CUDADevice
    let api: DriverAPI.GraphAPI
    let exec: OpaquePointer

    init(device: CUDADevice, api: DriverAPI.GraphAPI, exec: OpaquePointer) {
        self.device = device
        self.api = api
        self.exec = exec
    }

    func replay() throws {
        try device.makeCurrent()
        try device.driver.check(api.cuGraphLaunch(exec, device.stream), "cuGraphLaunch")
    }

    deinit { _ = api.cuGraphExecDestroy(exec) }
}

extension CUDABackend {
    /// Captures `body`'s stream work into a graph; nil when the driver has no graphs.
    public func record(_ body: () throws -> Void) throws -> (any RecordedWork)? {
        guard let api = device.driver.graphs else { return nil }
        try device.makeCurrent()
        // Relaxed mode: other threads' unrelated driver calls stay legal during capture.
        let relaxed: Int32 = 2
        try device.driver.check(api.cuStreamBeginCapture(device.stream, relaxed), "cuStreamBeginCapture_v2")
        var graph: OpaquePointer?
        do {
            try body()
        } catch {
            _ = api.cuStreamEndCapture(device.stream, &graph)
            if let graph { _ = api.cuGraphDestroy(graph) }
            throw error
        }
        try device.driver.check(api.cuStreamEndCapture(device.stream, &graph), "cuStreamEndCapture")
        defer { if let graph { _ = api.cuGraphDestroy(graph) } }
        var exec: OpaquePointer?
        try device.driver.check(api.cuGraphInstantiateWithFlags(&exec, graph, 0), "cuGraphInstantiateWithFlags")
        guard let exec else { throw CUDAError.invalidLaunch(function: "cuGraphInstantiateWithFlags", reason: "no graph returned") }
        return CUDAGraph(device: device, api: api, exec: exec)
    }
}
