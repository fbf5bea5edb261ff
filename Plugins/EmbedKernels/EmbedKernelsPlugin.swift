import Foundation
import PackagePlugin

/// Embeds a target's CUDA kernel sources (`Kernels/*.cu` and the shared `*.cuh`
/// headers) in the binary at build time: the `embed-kernels` tool turns them into a
/// Swift file of string literals, rebuilt whenever a kernel changes, so the `.cu` files
/// stay the only copy in the repository.
@main
struct EmbedKernelsPlugin: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        guard let target = target as? SourceModuleTarget else { return [] }
        let kernels = target.directoryURL.appendingPathComponent("Kernels")
        let files = try FileManager.default.contentsOfDirectory(at: kernels, includingPropertiesForKeys: nil)
            .filter { ["cu", "cuh"].contains($0.pathExtension) }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedKernels.swift")
        return [.buildCommand(
            displayName: "Embedding \(files.count) CUDA kernel files of \(target.name)",
            executable: try context.tool(named: "embed-kernels").url,
            arguments: [kernels.path, output.path],
            inputFiles: files,
            outputFiles: [output])]
    }
}
