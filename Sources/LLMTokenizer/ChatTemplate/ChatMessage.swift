/// A chat message with the fields chat templates read, for callers that do not already
/// hold JSON. It becomes a dict in the order OpenAI writes them (`role`, `content`,
/// `name`, `tool_calls`, `tool_call_id`, `reasoning_content`), then `extra` keys.
public struct ChatMessage: Sendable {
    /// A message's `content`: text, or a list of content parts
    /// (`{"type": "text", "text": ...}`, `{"type": "image_url", ...}`).
    public enum Content: Sendable {
        case text(String)
        case parts([JinjaValue])
    }

    /// `system`, `user`, `assistant`, `tool`, ...
    public var role: String
    /// The content, or `nil` (an assistant turn that only calls tools).
    public var content: Content?
    /// The author's name, for templates that show it.
    public var name: String?
    /// Tool calls in OpenAI's shape:
    /// `{"id": ..., "type": "function", "function": {"name": ..., "arguments": ...}}`.
    public var toolCalls: [JinjaValue]?
    /// For a `tool` message, the id of the call it answers.
    public var toolCallID: String?
    /// The reasoning (thinking) that preceded an assistant answer.
    public var reasoningContent: String?
    /// Further keys, in order, after the ones above.
    public var extra: [(String, JinjaValue)]

    /// A message; only `role` is required.
    public init(
        role: String, content: Content? = nil, name: String? = nil, toolCalls: [JinjaValue]? = nil,
        toolCallID: String? = nil, reasoningContent: String? = nil, extra: [(String, JinjaValue)] = []
    ) {
        self.role = role
        self.content = content
        self.name = name
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.reasoningContent = reasoningContent
        self.extra = extra
    }

    /// A message with text content.
    public init(role: String, _ text: String) {
        self.init(role: role, content: .text(text))
    }

    /// The message as the dict a template sees.
    public var jinjaValue: JinjaValue {
        var object = JinjaObject()
        object["role"] = .string(role)
        switch content {
        case .text(let text)?: object["content"] = .string(text)
        case .parts(let parts)?: object["content"] = .array(parts)
        case nil: break
        }
        if let name { object["name"] = .string(name) }
        if let toolCalls { object["tool_calls"] = .array(toolCalls) }
        if let toolCallID { object["tool_call_id"] = .string(toolCallID) }
        if let reasoningContent { object["reasoning_content"] = .string(reasoningContent) }
        for (key, value) in extra { object[key] = value }
        return .object(object)
    }
}
