/// Memory owned by a backend (host memory for the CPU, device memory for a GPU).
public protocol DeviceBuffer: AnyObject, Sendable {
    var byteCount: Int { get }
}

/// A typed view into a backend buffer. Views share the buffer, so a workspace sized
/// for the largest batch is reused for smaller ones through `rows(_:)`.
public struct Tensor: @unchecked Sendable, CustomStringConvertible {
    public let buffer: any DeviceBuffer
    public let byteOffset: Int
    public let shape: [Int]
    public let dtype: DType

    public init(buffer: any DeviceBuffer, byteOffset: Int = 0, shape: [Int], dtype: DType) {
        self.buffer = buffer
        self.byteOffset = byteOffset
        self.shape = shape
        self.dtype = dtype
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var byteCount: Int { dtype.byteCount(elements: elementCount) }
    /// Elements in one slice of the first dimension.
    public var rowElements: Int { shape.dropFirst().reduce(1, *) }
    public var rowBytes: Int { dtype.byteCount(elements: rowElements) }

    /// The slice `range` of the first dimension.
    public func rows(_ range: Range<Int>) -> Tensor {
        var newShape = shape
        newShape[0] = range.count
        return Tensor(buffer: buffer, byteOffset: byteOffset + range.lowerBound * rowBytes, shape: newShape, dtype: dtype)
    }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) throws -> Tensor {
        guard newShape.reduce(1, *) == elementCount else {
            throw RuntimeError.shapeMismatch(op: "reshape", expected: "\(elementCount) elements", got: "\(newShape)")
        }
        return Tensor(buffer: buffer, byteOffset: byteOffset, shape: newShape, dtype: dtype)
    }

    public var description: String { "Tensor(\(dtype.rawValue) \(shape))" }
}
