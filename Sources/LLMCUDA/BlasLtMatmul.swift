import Foundation
import LLMRuntime

/// Matrix products through cuBLASLt for the linear layers: out `[n, m]` = x `[n, k]` ·
/// weight `[m, k]`ᵀ (+ bias `[m]`), all row-major, bf16/f16 in, bf16/f16/f32 out, fp32
/// accumulation. Row-major outᵀ is column-major out, so this is cuBLAS's "TN" product
/// D(m×n) = Wᵀᵀ·X with W read transposed — the layout every tensor-core kernel (and
/// FP8 on Hopper) supports. Each (shape, types, pointer alignments, bias) gets a plan —
/// descriptors plus the heuristic's best algorithm — built once and reused.
public final class BlasLtMatmul: @unchecked Sendable {
    public let device: CUDADevice
    let api: CublasLtAPI
    private let handle: CublasLtHandle
    private let workspace: CUDABuffer
    private let lock = NSLock()
    private var plans: [PlanKey: Plan] = [:]

    struct PlanKey: Hashable {
        var n: Int, m: Int, k: Int
        var xType: CUDADataType, weightType: CUDADataType, outType: CUDADataType
        var biasType: CUDADataType?
        var xAlignment: Int, weightAlignment: Int, outAlignment: Int
    }

    final class Plan {
        let api: CublasLtAPI
        var desc: CublasLtMatmulDesc?
        var weightLayout: CublasLtMatrixLayout?
        var xLayout: CublasLtMatrixLayout?
        var outLayout: CublasLtMatrixLayout?
        var algo = [UInt8](repeating: 0, count: CublasLtConstant.algoBytes)
        var workspaceBytes = 0

        init(api: CublasLtAPI) { self.api = api }

        deinit {
            if let desc { _ = api.cublasLtMatmulDescDestroy(desc) }
            for layout in [weightLayout, xLayout, outLayout] { if let layout { _ = api.cublasLtMatrixLayoutDestroy(layout) } }
        }
    }

    /// Loads cuBLASLt (``CUDALibraries/cublasLt()``), creates a handle and a workspace.
    public init(device: CUDADevice, allocator: CUDAAllocator, workspaceBytes: Int = 32 << 20) throws {
        let api = try CUDALibraries.cublasLt()
        try device.makeCurrent()
        var handle: CublasLtHandle?
        try api.check(api.cublasLtCreate(&handle), "cublasLtCreate")
        self.device = device
        self.api = api
        self.handle = handle!
        do {
            workspace = try allocator.allocate(byteCount: workspaceBytes)
        } catch {
            _ = api.cublasLtDestroy(handle)
            throw error
        }
    }

    deinit {
        guard (try? device.makeCurrent()) != nil else { return }
        _ = device.driver.cuStreamSynchronize(device.stream)
        plans.removeAll()
        _ = api.cublasLtDestroy(handle)
    }

    /// Plans built so far (one per distinct shape and type combination).
    public var planCount: Int { lock.withLock { plans.count } }

    /// out = x · weightᵀ (+ bias) on the compute stream, for tensors of this device.
    public func matmul(x: Tensor, weight: Tensor, bias: Tensor? = nil, out: Tensor) throws {
        guard weight.shape.count == 2 else { throw RuntimeError.shapeMismatch(op: "matmul", expected: "2-D weight", got: "\(weight.shape)") }
        let (m, k) = (weight.shape[0], weight.shape[1])
        let n = x.elementCount / max(k, 1)
        guard x.elementCount == n * k, out.elementCount == n * m, bias.map({ $0.elementCount == m }) ?? true else {
            throw RuntimeError.shapeMismatch(op: "matmul", expected: "x [n, \(k)], out [n, \(m)], bias [\(m)]",
                                             got: "x \(x.shape), out \(out.shape), bias \(bias.map { "\($0.shape)" } ?? "none")")
        }
        try matmul(x: x.deviceAddress("matmul"), xType: Self.dataType(x.dtype), weight: weight.deviceAddress("matmul"),
                   weightType: Self.dataType(weight.dtype), bias: bias.map { try $0.deviceAddress("matmul") },
                   biasType: try bias.map { try Self.dataType($0.dtype) },
                   out: out.deviceAddress("matmul"), outType: Self.dataType(out.dtype), n: n, m: m, k: k)
    }

    /// The address-level product: out `[n, m]` = x `[n, k]` · weight `[m, k]`ᵀ (+ bias).
    public func matmul(x: CUdeviceptr, xType: CUDADataType, weight: CUdeviceptr, weightType: CUDADataType,
                       bias: CUdeviceptr? = nil, biasType: CUDADataType? = nil,
                       out: CUdeviceptr, outType: CUDADataType, n: Int, m: Int, k: Int) throws {
        guard n > 0, m > 0 else { return }
        guard k > 0 else {
            try device.memset(out, bytes: n * m * outType.byteWidth)
            return
        }
        let key = PlanKey(n: n, m: m, k: k, xType: xType, weightType: weightType, outType: outType,
                          biasType: bias == nil ? nil : (biasType ?? outType),
                          xAlignment: Self.alignment(x), weightAlignment: Self.alignment(weight), outAlignment: Self.alignment(out))
        try device.makeCurrent()
        try lock.withLock {
            let plan = try plans[key] ?? makePlan(key)
            plans[key] = plan
            if let bias {
                var address = bias
                try api.check(api.cublasLtMatmulDescSetAttribute(plan.desc, CublasLtConstant.descBiasPointer, &address, 8),
                              "cublasLtMatmulDescSetAttribute(BIAS_POINTER)")
            }
            var alpha: Float = 1, beta: Float = 0
            let status = plan.algo.withUnsafeBytes { algo in
                api.cublasLtMatmul(handle, plan.desc, &alpha, Self.pointer(weight), plan.weightLayout, Self.pointer(x), plan.xLayout,
                                   &beta, Self.pointer(out), plan.outLayout, UnsafeMutableRawPointer(bitPattern: UInt(out)), plan.outLayout,
                                   algo.baseAddress, UnsafeMutableRawPointer(bitPattern: UInt(workspace.address)), plan.workspaceBytes,
                                   device.stream)
            }
            try api.check(status, "cublasLtMatmul(n \(n), m \(m), k \(k), \(xType)·\(weightType)→\(outType))")
        }
    }

    private func makePlan(_ key: PlanKey) throws -> Plan {
        let plan = Plan(api: api)
        let what = "n \(key.n), m \(key.m), k \(key.k), \(key.xType)·\(key.weightType)→\(key.outType)"
        try api.check(api.cublasLtMatmulDescCreate(&plan.desc, CublasLtConstant.computeF32, CUDADataType.f32.rawValue), "cublasLtMatmulDescCreate")
        try setDescAttribute(plan, CublasLtConstant.descTransA, CublasLtConstant.operationT, "TRANSA")
        try setDescAttribute(plan, CublasLtConstant.descTransB, CublasLtConstant.operationN, "TRANSB")
        if let biasType = key.biasType {
            try setDescAttribute(plan, CublasLtConstant.descEpilogue, CublasLtConstant.epilogueBias, "EPILOGUE")
            try setDescAttribute(plan, CublasLtConstant.descBiasDataType, biasType.rawValue, "BIAS_DATA_TYPE")
        }
        // Column-major views: weight k×m (ld k, transposed by the op), x k×n, out m×n.
        try api.check(api.cublasLtMatrixLayoutCreate(&plan.weightLayout, key.weightType.rawValue, UInt64(key.k), UInt64(key.m), Int64(key.k)),
                      "cublasLtMatrixLayoutCreate(weight)")
        try api.check(api.cublasLtMatrixLayoutCreate(&plan.xLayout, key.xType.rawValue, UInt64(key.k), UInt64(key.n), Int64(key.k)),
                      "cublasLtMatrixLayoutCreate(x)")
        try api.check(api.cublasLtMatrixLayoutCreate(&plan.outLayout, key.outType.rawValue, UInt64(key.m), UInt64(key.n), Int64(key.m)),
                      "cublasLtMatrixLayoutCreate(out)")

        var preference: CublasLtMatmulPreference?
        try api.check(api.cublasLtMatmulPreferenceCreate(&preference), "cublasLtMatmulPreferenceCreate")
        defer { _ = api.cublasLtMatmulPreferenceDestroy(preference) }
        var maxWorkspace = UInt64(workspace.byteCount)
        try api.check(api.cublasLtMatmulPreferenceSetAttribute(preference, CublasLtConstant.preferenceMaxWorkspaceBytes, &maxWorkspace, 8),
                      "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)")
        for (attribute, alignment) in [(CublasLtConstant.preferenceMinAlignmentA, key.weightAlignment),
                                       (CublasLtConstant.preferenceMinAlignmentB, key.xAlignment),
                                       (CublasLtConstant.preferenceMinAlignmentC, key.outAlignment),
                                       (CublasLtConstant.preferenceMinAlignmentD, key.outAlignment)] {
            var value = UInt32(alignment)
            try api.check(api.cublasLtMatmulPreferenceSetAttribute(preference, attribute, &value, 4),
                          "cublasLtMatmulPreferenceSetAttribute(MIN_ALIGNMENT \(attribute))")
        }

        let requested = 8
        var results = [UInt8](repeating: 0, count: requested * CublasLtConstant.heuristicResultBytes)
        var returned: Int32 = 0
        let status = results.withUnsafeMutableBytes { buffer in
            api.cublasLtMatmulAlgoGetHeuristic(handle, plan.desc, plan.weightLayout, plan.xLayout, plan.outLayout, plan.outLayout,
                                               preference, Int32(requested), buffer.baseAddress, &returned)
        }
        try api.check(status, "cublasLtMatmulAlgoGetHeuristic(\(what))")
        for index in 0..<Int(returned) {
            let base = index * CublasLtConstant.heuristicResultBytes
            let (state, workspaceBytes) = results.withUnsafeBytes {
                ($0.load(fromByteOffset: base + CublasLtConstant.heuristicStateOffset, as: Int32.self),
                 $0.load(fromByteOffset: base + CublasLtConstant.heuristicWorkspaceOffset, as: Int.self))
            }
            guard state == 0, workspaceBytes <= workspace.byteCount else { continue }
            plan.algo = Array(results[base ..< base + CublasLtConstant.algoBytes])
            plan.workspaceBytes = workspaceBytes
            return plan
        }
        throw CUDAError.cublas(call: "cublasLtMatmulAlgoGetHeuristic(\(what))", status: 15,
                               message: "no algorithm for this shape and type combination (\(returned) candidates rejected)")
    }

    private func setDescAttribute<T: BitwiseCopyable>(_ plan: Plan, _ attribute: Int32, _ value: T, _ name: String) throws {
        let status = withUnsafeBytes(of: value) { api.cublasLtMatmulDescSetAttribute(plan.desc, attribute, $0.baseAddress, $0.count) }
        try api.check(status, "cublasLtMatmulDescSetAttribute(\(name))")
    }

    /// The cuBLASLt element type of a tensor type.
    static func dataType(_ dtype: DType) throws -> CUDADataType {
        switch dtype {
        case .bf16: return .bf16
        case .f16: return .f16
        case .f32: return .f32
        case .f8_e4m3: return .f8E4M3
        default: throw RuntimeError.unsupportedDType(op: "matmul", dtype: dtype)
        }
    }

    /// The largest power of two (up to 256) dividing an address: what the plan may assume.
    static func alignment(_ address: CUdeviceptr) -> Int {
        guard address != 0 else { return 256 }
        return Int(min(256, address & (~address &+ 1)))
    }

    static func pointer(_ address: CUdeviceptr) -> UnsafeRawPointer? {
        UnsafeRawPointer(bitPattern: UInt(address))
    }
}
