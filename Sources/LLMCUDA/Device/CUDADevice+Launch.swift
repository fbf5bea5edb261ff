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
                let parameters = count > 0 ? pointers.baseAddress : nil
                let result: CUresult
                if overlapsKernelLaunches, let launchEx = driver.cuLaunchKernelEx {
                    result = launchWithProgrammaticSerialization(launchEx, function, grid: grid, block: block,
                                                                 sharedMemoryBytes: sharedMemoryBytes, parameters: parameters)
                } else {
                    result = driver.cuLaunchKernel(
                        function, UInt32(grid.0), UInt32(grid.1), UInt32(grid.2), UInt32(block.0), UInt32(block.1), UInt32(block.2),
                        UInt32(sharedMemoryBytes), stream, parameters, nil)
                }
                if result != CUDAConstant.success {
                    throw driver.error(result, "cuLaunchKernel(\(name(of: function)), grid \(grid), block \(block), shared \(sharedMemoryBytes))")
                }
            }
        }
    }

    /// `cuLaunchKernelEx` with `CU_LAUNCH_ATTRIBUTE_PROGRAMMATIC_STREAM_SERIALIZATION`: the
    /// kernel may start before its predecessor on the stream ends, and waits for it in
    /// `grid_dependency_sync()` (common.cuh), which every kernel calls. The structs are
    /// laid out as cuda.h declares them: `CUlaunchConfig` is seven 32-bit fields, the
    /// stream at byte 32, the attribute pointer at 40 and their count at 48 (56 bytes);
    /// `CUlaunchAttribute` is a 32-bit id padded to 8 bytes and a 64-byte value union.
    private func launchWithProgrammaticSerialization(
        _ launchEx: @convention(c) (UnsafeRawPointer?, CUfunction?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                    UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> CUresult,
        _ function: CUfunction, grid: (Int, Int, Int), block: (Int, Int, Int), sharedMemoryBytes: Int,
        parameters: UnsafeMutablePointer<UnsafeMutableRawPointer?>?
    ) -> CUresult {
        let programmaticStreamSerialization: Int32 = 6
        return withUnsafeTemporaryAllocation(byteCount: 72, alignment: 8) { attribute in
            attribute.initializeMemory(as: UInt8.self, repeating: 0)
            attribute.storeBytes(of: programmaticStreamSerialization, toByteOffset: 0, as: Int32.self)
            attribute.storeBytes(of: Int32(1), toByteOffset: 8, as: Int32.self)
            return withUnsafeTemporaryAllocation(byteCount: 56, alignment: 8) { config in
                config.initializeMemory(as: UInt8.self, repeating: 0)
                func word(_ index: Int, _ value: Int) { config.storeBytes(of: UInt32(value), toByteOffset: 4 * index, as: UInt32.self) }
                word(0, grid.0); word(1, grid.1); word(2, grid.2)
                word(3, block.0); word(4, block.1); word(5, block.2)
                word(6, sharedMemoryBytes)
                config.storeBytes(of: stream, toByteOffset: 32, as: CUstream?.self)
                config.storeBytes(of: attribute.baseAddress, toByteOffset: 40, as: UnsafeMutableRawPointer?.self)
                config.storeBytes(of: UInt32(1), toByteOffset: 48, as: UInt32.self)
                return launchEx(UnsafeRawPointer(config.baseAddress), function, parameters, nil)
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
