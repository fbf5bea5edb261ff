import LLMRuntime

/// One parameter of a kernel launch, in the C type the kernel declares: pointers are
/// device addresses, `int32`/`int64`/`float`/`uint64` are `int`, `long long`, `float`
/// and `unsigned long long`. (Use `int32` for a `bool` flag; C++ `bool` is one byte.)
public enum KernelArgument {
    /// The device address of a tensor's first element; nil passes a null pointer.
    case tensor(Tensor?)
    /// A raw device address.
    case address(CUdeviceptr)
    case int32(Int32)
    case int64(Int64)
    case float(Float)
    case uint64(UInt64)

    /// Each argument occupies one 8-byte slot of the parameter block.
    static let slotBytes = 8

    /// Writes the argument's value at `slot` (8-byte aligned).
    func store(at slot: UnsafeMutableRawPointer) throws {
        switch self {
        case let .tensor(tensor): slot.storeBytes(of: try tensor?.deviceAddress("kernel argument") ?? 0, as: UInt64.self)
        case let .address(address): slot.storeBytes(of: address, as: UInt64.self)
        case let .int32(value): slot.storeBytes(of: value, as: Int32.self)
        case let .int64(value): slot.storeBytes(of: value, as: Int64.self)
        case let .float(value): slot.storeBytes(of: value, as: Float.self)
        case let .uint64(value): slot.storeBytes(of: value, as: UInt64.self)
        }
    }
}

extension KernelArgument {
    /// A tensor's device address (`.tensor`).
    public static func pointer(_ tensor: Tensor) -> KernelArgument { .tensor(tensor) }
    /// A tensor's device address, or a null pointer for nil (an absent bias, say).
    public static func pointer(_ tensor: Tensor?) -> KernelArgument { .tensor(tensor) }
    /// A raw device address (`.address`).
    public static func pointer(_ address: CUdeviceptr) -> KernelArgument { .address(address) }

    /// `.int32(Int32(value))`, throwing when `value` does not fit.
    public static func int(_ value: Int, _ what: String = "argument") throws -> KernelArgument {
        guard let narrow = Int32(exactly: value) else {
            throw RuntimeError.invalidArgument(op: "launch", reason: "\(what) \(value) does not fit in 32 bits")
        }
        return .int32(narrow)
    }
}
