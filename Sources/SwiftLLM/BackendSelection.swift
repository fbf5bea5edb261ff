import Foundation
import LLMCUDA

/// The composition root's one decision: which backend runs the model, and why.
enum BackendSelection {
    static func make(_ options: LLMOptions) throws -> (backend: any Backend, reason: String) {
        switch options.device {
        case .cpu:
            return (try CPUBackend(options: options.cpu), "cpu (requested)")
        case .cuda:
            let backend = try CUDABackend(deviceOrdinal: options.gpu)
            return (backend, "cuda (requested)")
        case .auto:
            switch CUDAProbe.detect(ordinal: options.gpu) {
            case .success:
                do {
                    return (try CUDABackend(deviceOrdinal: options.gpu), "cuda (GPU \(options.gpu) found)")
                } catch {
                    return (try CPUBackend(options: options.cpu), "cpu (GPU \(options.gpu) could not be used: \(error))")
                }
            case let .failure(error):
                return (try CPUBackend(options: options.cpu), "cpu (no usable GPU: \(error.summary))")
            }
        }
    }
}
