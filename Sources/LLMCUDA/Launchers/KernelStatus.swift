import Foundation
import LLMRuntime

/// The device status word kernels report bad inputs in (two i32: a code, then the
/// offending value; the first report wins). Inputs such as token ids and slots live on
/// the device, so checking them before a launch would cost a host round trip; instead
/// a kernel skips the bad element (zero row, skipped store) and reports it here, and the
/// host learns of it at its next check (``CUDABackend/checkKernelStatus()``).
///
/// One word per backend, allocated on first use. CUDABackend's stored properties belong
/// to its core file, so the word is kept in a registry keyed by the backend's identity
/// (with a weak reference, so a new backend at a reused address gets a fresh word).
final class KernelStatusRegistry: @unchecked Sendable {
    static let shared = KernelStatusRegistry()

    private struct Entry {
        weak var owner: CUDABackend?
        var word: Tensor
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: Entry] = [:]

    func word(for backend: CUDABackend) throws -> Tensor {
        let key = ObjectIdentifier(backend)
        return try lock.withLock {
            if let entry = entries[key], entry.owner === backend { return entry.word }
            entries = entries.filter { $0.value.owner != nil }
            let word = try backend.allocate(shape: [2], dtype: .i32)  // zero-filled
            entries[key] = Entry(owner: backend, word: word)
            return word
        }
    }
}

/// Codes of the status word (common.cuh's StatusCode).
enum KernelStatusCode: Int32 {
    case embeddingID = 1, gatherRow = 2, kvSlot = 3

    func error(value: Int32) -> RuntimeError {
        switch self {
        case .embeddingID:
            return .invalidArgument(op: "embedding", reason: "token id \(value) outside the embedding table (its row was zero-filled)")
        case .gatherRow:
            return .invalidArgument(op: "gatherRows", reason: "row \(value) outside the source (its row was zero-filled)")
        case .kvSlot:
            return .invalidArgument(op: "writeKV", reason: "slot \(value) outside the KV cache (the token's keys and values were not stored)")
        }
    }
}

extension CUDABackend {
    /// The status word as a kernel argument.
    func statusArgument() throws -> KernelArgument {
        .tensor(try KernelStatusRegistry.shared.word(for: self))
    }

    /// Waits for the queued work, then throws the first bad input a kernel reported since
    /// the last check (and clears the report). Costs one 8-byte device-to-host copy.
    public func checkKernelStatus() throws {
        let word = try KernelStatusRegistry.shared.word(for: self)
        var values: [Int32] = [0, 0]
        try values.withUnsafeMutableBytes { try read(word, into: $0) }
        guard values[0] != 0 else { return }
        try zero(word)
        guard let code = KernelStatusCode(rawValue: values[0]) else {
            throw RuntimeError.invalidArgument(op: "kernel", reason: "unknown status code \(values[0]) (value \(values[1]))")
        }
        throw code.error(value: values[1])
    }
}
