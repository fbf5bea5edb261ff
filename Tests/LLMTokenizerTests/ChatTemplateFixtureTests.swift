import Foundation
import LLMTokenizer
import Testing

/// Every real template × every scenario renders byte-identically to transformers, or raises
/// the same error.
@Suite struct ChatTemplateFixtureTests {
    static let scenarios: JinjaValue = (try? ChatTemplateFixtures.json("scenarios.json")) ?? .undefinedValue

    @Test func fixturesArePresent() {
        #expect(ChatTemplateFixtures.templateNames.count >= 28)
        #expect(Self.scenarios["scenarios"]?.objectValue?.count ?? 0 >= 8)
    }

    @Test(arguments: ChatTemplateFixtures.templateNames)
    func rendersLikeTransformers(_ name: String) throws {
        let template = try ChatTemplateFixtures.template(name)
        let expected = try ChatTemplateFixtures.json("expected/\(name).json")
        let scenarios = try #require(Self.scenarios["scenarios"]?.objectValue)
        let now = ChatTemplateFixtures.date(Self.scenarios["now"]?.stringValue ?? "")
        let tokens = Self.scenarios["special_tokens"]?[name]?.arrayValue ?? []
        let templateKwargs = Self.scenarios["template_kwargs"]?[name]?.objectValue?.pairs ?? []
        for (scenarioName, scenario) in scenarios.pairs {
            var extra: [String: JinjaValue] = [:]
            for (key, value) in templateKwargs { extra[key] = value }
            for (key, value) in scenario["kwargs"]?.objectValue?.pairs ?? [] { extra[key] = value }
            let context = ChatTemplateContext(
                messages: scenario["messages"]?.arrayValue ?? [], tools: scenario["tools"]?.arrayValue,
                documents: scenario["documents"]?.arrayValue,
                addGenerationPrompt: scenario["add_generation_prompt"]?.isTruthy ?? false,
                bosToken: tokens.first?.stringValue, eosToken: tokens.dropFirst().first?.stringValue,
                extraVariables: extra, now: now)
            let entry = try #require(expected[scenarioName], "\(name): no expectation for \(scenarioName)")
            ChatTemplateFixtures.check(entry, render: { try template.render(context) }, "\(name)/\(scenarioName)")
        }
    }
}
