// What users of SwiftLLM need, re-exported so `import SwiftLLM` is enough.
@_exported import LLMEngine
@_exported import LLMModels
@_exported import LLMRuntime
@_exported import LLMTokenizer
@_exported import LLMCheckpoint
@_exported import LLMCPU
@_exported import LLMCUDA
