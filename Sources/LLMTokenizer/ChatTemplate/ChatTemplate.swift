/// A Hugging Face chat template (Jinja), parsed once and rendered any number of times,
/// producing the same text as transformers' `tokenizer.apply_chat_template(...,
/// tokenize=False)` (transformers 5.x with jinja2 3.1): the same jinja2 settings
/// (`trim_blocks`, `lstrip_blocks`, loop controls, the immutable sandbox), the same
/// globals (`raise_exception`, `strftime_now`, `namespace`, `range`, `dict`), the same
/// `tojson`, and the same preparation of messages.
///
/// ```swift
/// let template = try ChatTemplate(source: text, name: "Qwen3")
/// let prompt = try template.render(ChatTemplateContext(
///     chat: [ChatMessage(role: "user", "Hello")], addGenerationPrompt: true,
///     extraVariables: ["enable_thinking": false]))
/// ```
public final class ChatTemplate: @unchecked Sendable {
    /// The template text.
    public let source: String
    /// The name errors refer to (a model id or file name).
    public let name: String
    /// Immutable after parsing, so one template may render on many threads at once.
    private let statements: [JinjaStatement]

    /// Parses `source`; a syntax error, an unknown tag, filter or test is thrown here,
    /// naming `name`, the line and the column.
    public init(source: String, name: String) throws(ChatTemplateError) {
        self.source = source
        self.name = name
        do {
            statements = try JinjaParser.parse(source)
        } catch {
            var named = error
            named.templateName = name
            throw named
        }
    }

    /// Renders the template. Errors the template raises (`raise_exception`), undefined
    /// values used where a value is needed, type errors and exceeded `limits` are thrown,
    /// naming the template, the line and the column.
    public func render(_ context: ChatTemplateContext, limits: ChatTemplateLimits = ChatTemplateLimits())
        throws(ChatTemplateError) -> String
    {
        let interpreter = JinjaInterpreter(now: context.now, limits: limits)
        let globals = JinjaScope(parent: nil)
        JinjaGlobals.install(in: globals)
        let scope = JinjaScope(parent: globals)
        scope.set("messages", .array(context.preparedMessages))
        scope.set("tools", context.tools.map(JinjaValue.array) ?? .none)
        scope.set("documents", context.documents.map(JinjaValue.array) ?? .none)
        scope.set("add_generation_prompt", .bool(context.addGenerationPrompt))
        if let bos = context.bosToken { scope.set("bos_token", .string(bos)) }
        if let eos = context.eosToken { scope.set("eos_token", .string(eos)) }
        for (key, value) in context.extraVariables { scope.set(key, value) }
        do {
            _ = try interpreter.execute(statements, in: scope)
        } catch {
            var named = error
            named.templateName = name
            throw named
        }
        return interpreter.output
    }
}
