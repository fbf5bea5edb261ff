extension CUDADevice {
    /// Queues `function` on the compute stream. `arguments` are marshalled into the
    /// `void**` array cuLaunchKernel reads (copied by the driver during the call, so no
    /// storage outlives it). Dynamic shared memory above 48 KiB raises the function's
    /// limit first (up to the device's opt-in maximum).
    public func launch(_ function: CUfunction, grid: (Int, Int, Int), block: (Int, Int, Int),
                       sharedMemoryBytes: Int = 0, arguments: [KernelArgument]) throws {
        try validate(function, grid: grid, block: block, sharedMemoryBytes: sharedMemoryBytes)
        try makeCurrent()
        try allowSharedMemory(sharedMemoryBytes, for: function)
        let count = arguments.count
        try withUnsafeTemporaryAllocation(byteCount: max(count, 1) * KernelArgument.slotBytes, alignment: KernelArgument.slotBytes) { storage in
            try withUnsafeTemporaryAllocation(of: UnsafeMutableRawPointer?.self, capacity: max(count, 1)) { pointers in
                let base = storage.baseAddress!
                for (index, argument) in arguments.enumerated() {
                    let slot = base + index * KernelArgument.slotBytes
                    do {
                        try argument.store(at: slot)
                    } catch {
                        throw CUDAError.invalidLaunch(function: name(of: function), reason: "argument \(index): \(error)")
                    }
                    pointers[index] = slot
                }
                let result = driver.cuLaunchKernel(
                    function, UInt32(grid.0), UInt32(grid.1), UInt32(grid.2), UInt32(block.0), UInt32(block.1), UInt32(block.2),
                    UInt32(sharedMemoryBytes), stream, count > 0 ? pointers.baseAddress : nil, nil)
                if result != CUDAConstant.success {
                    throw driver.error(result, "cuLaunchKernel(\(name(of: function)), grid \(grid), block \(block), shared \(sharedMemoryBytes))")
                }
            }
        }
    }

    private func validate(_ function: CUfunction, grid: (Int, Int, Int), block: (Int, Int, Int), sharedMemoryBytes: Int) throws {
        func fail(_ reason: String) -> CUDAError { .invalidLaunch(function: name(of: function), reason: reason) }
        guard grid.0 >= 1, grid.1 >= 1, grid.2 >= 1, grid.0 <= Int(Int32.max), grid.1 <= 65535, grid.2 <= 65535 else {
            throw fail("grid \(grid) outside 1...2³¹-1 × 1...65535 × 1...65535")
        }
        let threads = block.0 * block.1 * block.2
        guard block.0 >= 1, block.1 >= 1, block.2 >= 1, block.2 <= 64, threads <= info.maxThreadsPerBlock else {
            throw fail("block \(block) has \(threads) threads; the device allows 1...\(info.maxThreadsPerBlock) (z ≤ 64)")
        }
        guard sharedMemoryBytes >= 0 else { throw fail("negative shared memory \(sharedMemoryBytes)") }
    }
}
