import CLLMKernels
import LLMRuntime

/// The mixture-of-experts ops on the CPU: routing in f32, and the experts' MLPs grouped
/// by expert (moe.c). Expert weights of any checkpoint format are multiplied in f32
/// (quantised rows are expanded one at a time), as exact mode does for dense layers.
extension CPUBackend {
    public func moeRoute(logits: Tensor, topK: Int, normalize: Bool, ids: Tensor, weights: Tensor) throws {
        let (n, experts) = try OpShapes.moeRoute(logits: logits, topK: topK, ids: ids, weights: weights)
        llm_moe_route(try logits.floats("moeRoute"), Int64(n), Int64(experts), Int64(topK), normalize,
                      try ids.int32s("moeRoute"), try weights.floats("moeRoute"))
    }

    public func moeExperts(_ x: Tensor, gateUp: Tensor, down: Tensor, ids: Tensor, weights: Tensor, kind: GatedActivation,
                           scratch: MoEScratch, out: Tensor) throws {
        let s = try OpShapes.moeExperts(x, gateUp: gateUp, down: down, ids: ids, weights: weights, scratch: scratch, out: out)
        for weight in [gateUp, down] where !llm_linear_supported(weight.dtype.kernelTypeID) {
            throw RuntimeError.unsupportedDType(op: "moeExperts", dtype: weight.dtype)
        }
        let rows = try self.scratch(bytes: llm_moe_row_scratch_bytes(Int64(s.hidden), Int64(s.ff), Int32(options.threads)))
        var args = llm_moe_args(
            x: try x.floats("moeExperts"), tokens: Int64(s.tokens), hidden: Int64(s.hidden), ff: Int64(s.ff),
            experts: Int64(s.experts), top_k: Int64(s.topK),
            gate_up: try gateUp.cpuPointer("moeExperts"), gate_up_type: gateUp.dtype.kernelTypeID,
            down: try down.cpuPointer("moeExperts"), down_type: down.dtype.kernelTypeID,
            ids: try ids.int32s("moeExperts"), weights: try weights.floats("moeExperts"), gelu: kind == .geluTanh,
            activated: try scratch.activated.floats("moeExperts"), expert_out: try scratch.expertOutputs.floats("moeExperts"),
            assignments: try scratch.assignments.int32s("moeExperts"), rows: rows.assumingMemoryBound(to: Float.self),
            out: try out.floats("moeExperts"))
        guard llm_moe_experts(pool, &args) else {
            throw RuntimeError.invalidArgument(op: "moeExperts", reason: "an expert id outside 0..<\(s.experts) or named twice by one token")
        }
    }
}
