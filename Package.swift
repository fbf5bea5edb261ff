// swift-tools-version:6.1
import PackageDescription

// Hot C kernels are always optimised, even in debug builds, so tests that run
// real models stay fast; per-function target attributes keep one portable binary.
let kernelCFlags: [CSetting] = [.unsafeFlags(["-O3", "-fno-math-errno"])]
let swift5: [SwiftSetting] = [.swiftLanguageMode(.v5)]

let package = Package(
    name: "SwiftLLM",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SwiftLLM", targets: ["SwiftLLM"]),
        .library(name: "LLMServer", targets: ["LLMServer"]),
        .executable(name: "swiftllm", targets: ["swiftllm"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        .target(name: "LLMRuntime", swiftSettings: swift5),
        .target(name: "CLLMKernels", cSettings: kernelCFlags, linkerSettings: [.linkedLibrary("pthread")]),
        .target(name: "LLMCPU", dependencies: ["LLMRuntime", "CLLMKernels"], swiftSettings: swift5),
        .target(name: "LLMCheckpoint", dependencies: ["LLMRuntime", "CLLMKernels"], swiftSettings: swift5),
        .target(name: "LLMTokenizer", dependencies: ["LLMCheckpoint"], swiftSettings: swift5),
        .target(name: "LLMModels", dependencies: ["LLMRuntime", "LLMCheckpoint"], swiftSettings: swift5),
        .target(name: "LLMEngine", dependencies: ["LLMModels", "LLMTokenizer", "LLMRuntime"], swiftSettings: swift5),
        // CUDA is reached through dlopen at run time: building needs no CUDA installation.
        // Kernel sources are embedded at build time by the EmbedKernels plugin.
        .executableTarget(name: "embed-kernels"),
        .plugin(name: "EmbedKernels", capability: .buildTool(), dependencies: ["embed-kernels"]),
        .target(name: "LLMCUDA", dependencies: ["LLMRuntime"], exclude: ["Kernels"],
                swiftSettings: swift5, linkerSettings: [.linkedLibrary("dl")], plugins: ["EmbedKernels"]),
        .target(name: "SwiftLLM", dependencies: ["LLMEngine", "LLMCPU", "LLMCUDA"], swiftSettings: swift5),
        // The OpenAI- and Triton-compatible HTTP server over the `LLM` API.
        .target(
            name: "LLMServer",
            dependencies: [
                "SwiftLLM",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "swiftllm",
            dependencies: ["SwiftLLM", "LLMServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
                           .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift5),
        .testTarget(name: "LLMCheckpointTests", dependencies: ["LLMCheckpoint", "LLMRuntime"], swiftSettings: swift5),
        .testTarget(name: "LLMTokenizerTests", dependencies: ["LLMTokenizer", "LLMRuntime"], swiftSettings: swift5),
        .testTarget(name: "LLMCPUTests", dependencies: ["LLMCPU", "LLMRuntime", "CLLMKernels", "LLMEngine"], swiftSettings: swift5),
        .testTarget(name: "LLMModelsTests", dependencies: ["SwiftLLM"], swiftSettings: swift5),
        .testTarget(name: "LLMEngineTests", dependencies: ["LLMEngine", "LLMRuntime"], swiftSettings: swift5),
        .testTarget(
            name: "LLMServerTests",
            dependencies: ["LLMServer", "SwiftLLM", .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "NIOEmbedded", package: "swift-nio")]),
        .testTarget(name: "LLMCUDATests", dependencies: ["LLMCUDA", "LLMRuntime"], swiftSettings: swift5),
    ]
)
