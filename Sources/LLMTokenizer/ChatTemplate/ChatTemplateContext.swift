import Foundation

/// What a chat template renders: the variables transformers' `apply_chat_template` passes
/// (`messages`, `tools`, `documents`, `add_generation_prompt`, the tokenizer's special
/// tokens and any extra template kwargs such as `enable_thinking`), plus the clock that
/// `strftime_now` reads, so tests can fix the date.
public struct ChatTemplateContext: Sendable {
    /// The conversation: dicts with `role`, `content` and whatever else the caller sends
    /// (`tool_calls`, `tool_call_id`, `name`, `reasoning_content`, ...). Build them from
    /// OpenAI JSON with `JinjaValue(json:)` or from `ChatMessage`.
    public var messages: [JinjaValue]
    /// Tool (function) schemas, or `nil` for none (the template sees `tools` as `None`).
    public var tools: [JinjaValue]?
    /// Documents for retrieval-augmented templates, or `nil` (the template sees `None`).
    public var documents: [JinjaValue]?
    /// Whether to end with the header of an assistant turn the model should write.
    public var addGenerationPrompt: Bool
    /// The tokenizer's BOS token text, or `nil` to leave `bos_token` undefined.
    public var bosToken: String?
    /// The tokenizer's EOS token text, or `nil` to leave `eos_token` undefined.
    public var eosToken: String?
    /// Extra template variables (`enable_thinking`, `reasoning_effort`, `builtin_tools`,
    /// other special tokens such as `pad_token`, ...). They override everything above with
    /// the same name, as kwargs override special tokens in transformers.
    public var extraVariables: [String: JinjaValue]
    /// The time `strftime_now` formats (in UTC).
    public var now: Date

    /// A context; only `messages` is required.
    public init(
        messages: [JinjaValue], tools: [JinjaValue]? = nil, documents: [JinjaValue]? = nil,
        addGenerationPrompt: Bool = false, bosToken: String? = nil, eosToken: String? = nil,
        extraVariables: [String: JinjaValue] = [:], now: Date = Date()
    ) {
        self.messages = messages
        self.tools = tools
        self.documents = documents
        self.addGenerationPrompt = addGenerationPrompt
        self.bosToken = bosToken
        self.eosToken = eosToken
        self.extraVariables = extraVariables
        self.now = now
    }

    /// A context from typed messages; see `init(messages:...)`.
    public init(
        chat: [ChatMessage], tools: [JinjaValue]? = nil, documents: [JinjaValue]? = nil,
        addGenerationPrompt: Bool = false, bosToken: String? = nil, eosToken: String? = nil,
        extraVariables: [String: JinjaValue] = [:], now: Date = Date()
    ) {
        self.init(
            messages: chat.map(\.jinjaValue), tools: tools, documents: documents,
            addGenerationPrompt: addGenerationPrompt, bosToken: bosToken, eosToken: eosToken,
            extraVariables: extraVariables, now: now)
    }

    /// The messages as transformers prepares them before rendering: keys whose value is
    /// `None` dropped, and the reasoning of a message copied to both `reasoning_content`
    /// and `thinking` (from whichever of `reasoning_content`, `thinking`, `reasoning` is
    /// set first), so every template finds it under the name it reads.
    var preparedMessages: [JinjaValue] {
        messages.map { message in
            guard case .object(let object) = message else { return message }
            var cleaned = object.droppingNoneValues()
            let reasoning = ["reasoning_content", "thinking", "reasoning"].lazy.compactMap { cleaned[$0] }.first
            guard let reasoning else { return .object(cleaned) }
            // Python: {"thinking": reasoning, **message, "reasoning_content": reasoning}
            var aliased = JinjaObject()
            aliased["thinking"] = reasoning
            for entry in cleaned.entries { aliased.set(entry.key, entry.value) }
            aliased["reasoning_content"] = reasoning
            cleaned = aliased
            return .object(cleaned)
        }
    }
}
