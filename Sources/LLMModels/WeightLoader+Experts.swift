import CLLMKernels
import LLMCheckpoint
import LLMRuntime

extension WeightLoader {
    /// Several `[experts, rows_i, columns]` tensors (llama.cpp's `ffn_gate_exps` and
    /// `ffn_up_exps`) joined per expert into one `[experts, sum rows_i, columns]` weight:
    /// expert e's rows of the first tensor, then its rows of the second, and so on.
    /// Formats whose rows are whole blocks stay as they are when all parts share one;
    /// mixed formats are expanded to f32.
    public func loadExpertStack(_ names: [String], experts: Int, rows: [Int], columns: Int) throws -> Tensor {
        let total = rows.reduce(0, +)
        guard source != nil else {
            loaded += names.count - 1
            return try finish(random(names.joined(separator: "+"), shape: [experts, total, columns]))
        }
        let parts = try zip(names, rows).map { try hostTensor($0, shape: [experts, $1, columns]) }
        let sameType = parts.allSatisfy { $0.dtype == parts[0].dtype }
        let dtype = sameType ? parts[0].dtype : .f32
        let rowBytes = dtype.byteCount(elements: columns)
        let buffer = HostBuffer(byteCount: experts * total * rowBytes)
        var values: [[Float]] = []
        if !sameType { values = try zip(parts, names).map { try $0.dequantizedValues(file: source?.path ?? "", name: $1) } }
        var offset = 0
        for e in 0..<experts {
            for (index, part) in parts.enumerated() {
                let bytes = rows[index] * rowBytes
                if sameType {
                    (buffer.pointer + offset).copyMemory(from: part.data + e * bytes, byteCount: bytes)
                } else {
                    let first = e * rows[index] * columns
                    values[index][first..<(first + rows[index] * columns)].withUnsafeBytes {
                        (buffer.pointer + offset).copyMemory(from: $0.baseAddress!, byteCount: bytes)
                    }
                }
                offset += bytes
            }
        }
        let stacked = HostTensor(shape: [experts, total, columns], dtype: dtype, data: UnsafeRawPointer(buffer.pointer), owner: buffer)
        loaded += names.count - 1
        return try finish(backend.upload(weight: uploadable(stacked, name: names.joined(separator: "+"))))
    }
}
