import CLLMKernels
import LLMRuntime

extension HostTensor {
    /// Converts this tensor to f32 with the C kernels' `llm_dequantize`. `file` and
    /// `name` are only used in error messages.
    public func dequantizedValues(file: String, name: String) throws -> [Float] {
        let count = elementCount
        guard dtype.kernelTypeID >= 0 else {
            throw CheckpointError.unsupported(
                file: file, field: "element type of tensor '\(name)'", value: "\(dtype.rawValue) cannot be converted to f32")
        }
        guard count % dtype.blockElements == 0 else {
            throw CheckpointError.malformed(
                file: file, field: "shape of tensor '\(name)'",
                expected: "an element count that is a multiple of \(dtype.blockElements)", found: "\(shape)")
        }
        if count == 0 { return [] }
        var ok = false
        let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            if let destination = buffer.baseAddress {
                ok = llm_dequantize(dtype.kernelTypeID, data, destination, Int64(count))
            }
            initialized = ok ? count : 0
        }
        guard ok else {
            throw CheckpointError.unsupported(
                file: file, field: "element type of tensor '\(name)'", value: "\(dtype.rawValue) has no f32 conversion")
        }
        return values
    }
}
