import Foundation

extension LLM {
    /// Token ids of a conversation rendered with the model's chat template (as
    /// transformers' `apply_chat_template` renders it), special tokens parsed from the
    /// rendered text and none added around it, as vLLM does for chat requests.
    public func chatPrompt(_ messages: [JinjaValue], tools: [JinjaValue]? = nil, addGenerationPrompt: Bool = true,
                           templateVariables: [String: JinjaValue] = [:]) throws -> Prompt {
        guard let chatTemplate else {
            throw EngineError.invalidRequest(field: "messages", reason: "the model has no chat template (tokenizer_config.json chat_template or GGUF tokenizer.chat_template)")
        }
        let template = try chatTemplate.get()
        let context = ChatTemplateContext(
            messages: messages, tools: tools, addGenerationPrompt: addGenerationPrompt,
            bosToken: tokenizer.bosTokenID.flatMap(tokenizer.tokenString), eosToken: tokenizer.eosTokenID.flatMap(tokenizer.tokenString),
            extraVariables: templateVariables)
        let text = try template.render(context)
        return .tokens(tokenizer.encode(text, addSpecialTokens: false))
    }
}
