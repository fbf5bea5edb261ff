import LLMRuntime

/// The mixture-of-experts ops on the GPU (Launchers/MoEKernels.swift): the same shape
/// rules as the CPU, routing in f32 on the device, expert weights in the activation type.
extension CUDABackend {
    public func moeRoute(logits: Tensor, topK: Int, normalize: Bool, ids: Tensor, weights: Tensor) throws {
        let (n, experts) = try OpShapes.moeRoute(logits: logits, topK: topK, ids: ids, weights: weights)
        for (tensor, dtype) in [(logits, DType.f32), (ids, .i32), (weights, .f32)] where tensor.dtype != dtype {
            throw RuntimeError.unsupportedDType(op: "moeRoute", dtype: tensor.dtype)
        }
        try MoEKernels.route(on: self, logits: logits, tokens: n, experts: experts, topK: topK, normalize: normalize, ids: ids, weights: weights)
    }

    public func moeExperts(_ x: Tensor, gateUp: Tensor, down: Tensor, ids: Tensor, weights: Tensor, kind: GatedActivation,
                           scratch: MoEScratch, out: Tensor) throws {
        let shape = try OpShapes.moeExperts(x, gateUp: gateUp, down: down, ids: ids, weights: weights, scratch: scratch, out: out)
        guard KernelNaming.activationTypes.contains(x.dtype) else { throw RuntimeError.unsupportedDType(op: "moeExperts", dtype: x.dtype) }
        for tensor in [gateUp, down, out, scratch.activated] where tensor.dtype != x.dtype {
            throw RuntimeError.unsupportedDType(op: "moeExperts", dtype: tensor.dtype)
        }
        for (tensor, dtype) in [(ids, DType.i32), (weights, .f32), (scratch.expertOutputs, .f32), (scratch.assignments, .i32)] where tensor.dtype != dtype {
            throw RuntimeError.unsupportedDType(op: "moeExperts", dtype: tensor.dtype)
        }
        try MoEKernels.experts(on: self, x: x, gateUp: gateUp, down: down, ids: ids, weights: weights, kind: kind, scratch: scratch,
                               out: out, shape: shape)
    }
}
