import Foundation
import LLMTokenizer
import Testing

/// Small templates, one Jinja feature each (expressions, statements, filters, tests,
/// whitespace control, undefined handling, errors), against jinja2 in transformers'
/// environment.
@Suite struct ChatTemplateSemanticsTests {
    static let fixture: JinjaValue = (try? ChatTemplateFixtures.json("semantics.json")) ?? .undefinedValue
    static let cases: [JinjaValue] = fixture["cases"]?.arrayValue ?? []
    static let caseNames: [String] = cases.compactMap { $0["name"]?.stringValue }

    @Test func fixtureIsPresent() {
        #expect(Self.cases.count >= 80)
    }

    @Test(arguments: caseNames)
    func matchesJinja(_ name: String) throws {
        let entry = try #require(Self.cases.first { $0["name"]?.stringValue == name })
        let source = try #require(entry["template"]?.stringValue)
        var variables: [String: JinjaValue] = [:]
        for (key, value) in entry["variables"]?.objectValue?.pairs ?? [] { variables[key] = value }
        let now = ChatTemplateFixtures.date(Self.fixture["now"]?.stringValue ?? "")
        ChatTemplateFixtures.check(
            entry,
            render: {
                let template = try ChatTemplate(source: source, name: name)
                // Only the template's own variables: no messages or tokens.
                let context = ChatTemplateContext(messages: [], extraVariables: variables, now: now)
                return try template.render(context)
            }, name)
    }
}
