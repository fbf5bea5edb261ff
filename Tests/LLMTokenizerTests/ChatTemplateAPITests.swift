import Foundation
import LLMTokenizer
import Testing

/// The public API: building values from JSON, typed messages, message preparation, errors
/// with locations, and the bounds that keep hostile templates from running away.
@Suite struct ChatTemplateAPITests {
    private func render(_ source: String, _ variables: [String: JinjaValue] = [:], messages: [JinjaValue] = [])
        throws -> String
    {
        try ChatTemplate(source: source, name: "test").render(
            ChatTemplateContext(messages: messages, extraVariables: variables))
    }

    private func error(_ source: String, _ variables: [String: JinjaValue] = [:]) -> ChatTemplateError? {
        do {
            _ = try render(source, variables)
            return nil
        } catch let error as ChatTemplateError {
            return error
        } catch {
            return nil
        }
    }

    @Test func jsonKeepsKeyOrderAndNumberKinds() throws {
        let value = try JinjaValue(jsonString: #"{"z": 1, "a": 1.0, "m": [true, null, "é\u00e9\ud83d\ude00"], "b": 1e2}"#)
        #expect(value.objectValue?.keys == ["z", "a", "m", "b"])
        #expect(try render("{{ v|tojson }}", ["v": value]) == #"{"z": 1, "a": 1.0, "m": [true, null, "éé😀"], "b": 100.0}"#)
        #expect(try render("{% for k, x in v.items() %}{{ k }}={{ x }};{% endfor %}", ["v": value])
            == "z=1;a=1.0;m=[True, None, 'éé😀'];b=100.0;")
        #expect(throws: ChatTemplateError.self) { try JinjaValue(jsonString: #"{"a": }"#) }
        #expect(throws: ChatTemplateError.self) { try JinjaValue(jsonString: "[1, 2") }
    }

    @Test func literalsAndFoundationValues() throws {
        let literal: JinjaValue = ["role": "user", "content": "hi", "n": 3, "x": 1.5, "ok": true, "none": nil]
        #expect(try literal.jsonString() == #"{"role":"user","content":"hi","n":3,"x":1.5,"ok":true,"none":null}"#)
        let fromAny = try JinjaValue(any: ["b": 2, "a": [1, "two", NSNull()]] as [String: Any])
        #expect(try fromAny.jsonString() == #"{"a":[1,"two",null],"b":2}"#)
        #expect(JinjaValue.int(1) == JinjaValue.double(1.0))
        #expect(JinjaValue.double(1.0).description == "1.0")
        #expect(JinjaValue.undefinedValue.description == "")
    }

    @Test func typedMessagesMatchJSONMessages() throws {
        let call: JinjaValue = [
            "id": "call_1", "type": "function",
            "function": ["name": "get_weather", "arguments": ["city": "Paris"]],
        ]
        let typed = [
            ChatMessage(role: "user", "Weather?"),
            ChatMessage(role: "assistant", toolCalls: [call]),
            ChatMessage(role: "tool", content: .text("18C"), toolCallID: "call_1"),
        ]
        let json = try JinjaValue(
            jsonString: #"""
                [{"role": "user", "content": "Weather?"},
                 {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                   "function": {"name": "get_weather", "arguments": {"city": "Paris"}}}]},
                 {"role": "tool", "content": "18C", "tool_call_id": "call_1"}]
                """#)
        let template = try ChatTemplate(source: "{{ messages|tojson }}", name: "dump")
        let a = try template.render(ChatTemplateContext(chat: typed))
        let b = try template.render(ChatTemplateContext(messages: json.arrayValue ?? []))
        #expect(a == b)
    }

    @Test func messagesArePreparedLikeTransformers() throws {
        // None-valued keys are dropped; reasoning is copied to `thinking` (first) and
        // `reasoning_content` (last), as transformers' `_alias_reasoning_fields` does.
        let message = try JinjaValue(jsonString: #"{"role": "assistant", "content": null, "reasoning": "hmm"}"#)
        let out = try render("{{ messages[0]|tojson }}", messages: [message])
        #expect(out == #"{"thinking": "hmm", "role": "assistant", "reasoning": "hmm", "reasoning_content": "hmm"}"#)
    }

    @Test func contextVariables() throws {
        let template = try ChatTemplate(
            source: "{{ bos_token }}|{{ eos_token is defined }}|{{ tools }}|{{ documents }}|{{ add_generation_prompt }}|"
                + "{{ enable_thinking }}|{{ strftime_now('%d %b %Y') }}",
            name: "vars")
        let context = ChatTemplateContext(
            messages: [], addGenerationPrompt: true, bosToken: "<s>", extraVariables: ["enable_thinking": false],
            now: Date(timeIntervalSince1970: 1_741_356_309))
        #expect(try template.render(context) == "<s>|False|None|None|True|False|07 Mar 2025")
    }

    @Test func syntaxErrorsNameTemplateLineAndColumn() {
        do {
            _ = try ChatTemplate(source: "line one\n{{ 'ok' }}\n  {{ 1 + }}", name: "broken")
            Issue.record("expected a syntax error")
        } catch {
            #expect(error.kind == .syntax)
            #expect(error.templateName == "broken")
            #expect(error.line == 3)
            #expect(error.column == 10)
            #expect(error.description.hasPrefix("chat template 'broken', line 3, column 10: "))
        }
        #expect(error("{% if x %}\nunterminated")?.message.contains("'endif'") == true)
        #expect(error("{% for x in y %}{% endif %}")?.kind == .syntax)
        #expect(error("{% break %}")?.kind == .syntax)
        #expect(error("{{ 'abc }}")?.kind == .syntax)
    }

    @Test func unknownFiltersAndTestsAreNamedAtParseTime() {
        #expect(error("\n{{ x|frobnicate }}")?.message == "No filter named 'frobnicate'.")
        #expect(error("\n{{ x|frobnicate }}")?.line == 2)
        #expect(error("{{ x is frobnicated }}")?.message == "No test named 'frobnicated'.")
        #expect(error("{{ x|wordwrap }}")?.kind == .unsupported)
        #expect(error("{% include 'other.jinja' %}")?.kind == .unsupported)
    }

    @Test func raiseExceptionCarriesTheMessageAndLine() {
        let thrown = error("a\nb\n{% if true %}{{ raise_exception('Roles must alternate!') }}{% endif %}")
        #expect(thrown?.kind == .raised)
        #expect(thrown?.message == "Roles must alternate!")
        #expect(thrown?.line == 3)
    }

    @Test func runtimeErrorsCarryJinjaMessages() {
        #expect(error("{{ m.content + 'x' }}", ["m": ["role": "user"]])?.message == "'dict object' has no attribute 'content'")
        #expect(error("{{ nope.x }}")?.message == "'nope' is undefined")
        #expect(error("{{ 'a' + 1 }}")?.message == "can only concatenate str (not \"int\") to str")
        #expect(error("{% set l = [] %}{{ l.append(1) }}")?.kind == .security)
    }

    @Test func recursionIsBounded() {
        let thrown = error("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
        #expect(thrown?.kind == .limit)
        #expect(thrown?.message.contains("recursion") == true)
        // Mutual recursion too.
        let mutual = error("{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}")
        #expect(mutual?.kind == .limit)
    }

    @Test func loopsAndOutputAreBounded() throws {
        // 10^5 × 10^5 iterations would take hours; the step bound stops it.
        let template = try ChatTemplate(
            source: "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}", name: "loops")
        #expect(throws: ChatTemplateError.self) {
            try template.render(ChatTemplateContext(messages: []), limits: ChatTemplateLimits(maxSteps: 50_000))
        }
        #expect(error("{{ 'x' * 1000000000 }}")?.kind == .limit)
        #expect(error("{{ range(10000000)|length }}")?.kind == .limit)
        let big = try ChatTemplate(source: "{% for i in range(1000) %}{{ 'x' * 100000 }}{% endfor %}", name: "big")
        let thrown = #expect(throws: ChatTemplateError.self) {
            try big.render(ChatTemplateContext(messages: []), limits: ChatTemplateLimits(maxOutputBytes: 1 << 20))
        }
        #expect(thrown?.kind == .limit)
    }

    @Test func hugeNumbersFailCleanly() throws {
        #expect(try render("{{ l[1::9223372036854775807] }}", ["l": [1, 2, 3]]) == "[2]")
        #expect(error("{{ range(-9223372036854775807, 9223372036854775807)|length }}")?.kind == .limit)
        #expect(error("{{ 'a'.center(1000000000000000000) }}")?.kind == .limit)
        #expect(error("{{ '%99999999999999999999999d' % 1 }}")?.kind == .limit)
        #expect(error("{{ '{:>99999999999}'.format(1) }}")?.kind == .limit)
        #expect(error("{{ 'x'|indent(99999999999) }}")?.kind == .limit)
        #expect(error("{{ [1]|tojson(indent=99999999999) }}")?.kind == .limit)
        #expect(error("{{ [1]|batch(99999999999, 0)|list }}")?.kind == .limit)
        #expect(error("{{ 9223372036854775807 + 1 }}")?.kind == .value)
        #expect(error("{{ -9223372036854775807 - 2 }}")?.kind == .value)
        #expect(error("{{ 3 ** 99 }}")?.kind == .value)
        #expect(error("{{ (-9223372036854775807 - 1) // -1 }}")?.kind == .value)
        #expect(try render("{{ (-9223372036854775807 - 1) % -1 }}") == "0")
        let doubling = "{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
        #expect(error(doubling)?.kind == .limit)
        #expect(error("{{ ('x' * 100000)|replace('x', 'x' * 1000) }}")?.kind == .limit)
    }

    @Test func deepNestingFailsCleanly() {
        let depth = 500
        let nested = String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)
        #expect(error("{{ \(nested) }}")?.kind == .syntax)
        let list = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(error("{{ \(list) }}")?.kind == .syntax)
        // Long chains build deep trees without deep parser recursion.
        #expect(error("{{ 1" + String(repeating: " + 1", count: 100_000) + " }}")?.kind == .syntax)
        #expect(error("{{ x" + String(repeating: "|trim", count: 100_000) + " }}")?.kind == .syntax)
        #expect(error("{{ 1" + String(repeating: " if x else 1", count: 10_000) + " }}")?.kind == .syntax)
        #expect(error(String(repeating: "{% if true %}", count: 10_000))?.kind == .syntax)
        #expect(error("{% set " + String(repeating: "(", count: 10_000) + "a")?.kind == .syntax)
        // Values grown through a namespace stop at a bound; a namespace holding itself prints.
        let growing = "{% set ns = namespace(x=[]) %}{% for i in range(100000) %}{% set ns.x = [ns.x] %}{% endfor %}"
        #expect(error(growing)?.kind == .limit)
        #expect((try? render("{% set ns = namespace() %}{% set ns.me = ns %}{{ ns }}"))?.hasPrefix("<Namespace {'me': <") == true)
        #expect(error("{% set ns = namespace() %}{% set ns.me = ns %}{% set ns.again = ns %}")?.kind == .limit)
        let deepJSON = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        #expect(throws: ChatTemplateError.self) { try JinjaValue(jsonString: deepJSON) }
    }

    /// The nesting bounds hold on a 512 KiB thread stack in release builds (4 MiB in debug,
    /// whose stack frames are several times larger).
    @Test func boundsAreSafeOnASmallStack() async throws {
        #if DEBUG
            let stackSize = 4 << 20
        #else
            let stackSize = 512 << 10
        #endif
        let ifs = (String(repeating: "{% if true %}", count: 90), String(repeating: "{% endif %}", count: 90))
        let parens = (String(repeating: "(", count: 45), String(repeating: ")", count: 45))
        let sources = [
            "{% macro f(n) %}{% if true %}{{ f(n + 1) ~ (n|string) }}{% endif %}{% endmacro %}{{ f(0) }}",
            "{% macro f(n) %}\(ifs.0){{ f(n + 1) }}\(ifs.1){% endmacro %}{{ f(0) }}",
            "{% macro f(n) %}{{ \(parens.0)f(n + 1)\(parens.1) }}{% endmacro %}{{ f(0) }}",
            "{{ \(String(repeating: "(", count: 90))1\(String(repeating: ")", count: 90)) }}",
        ]
        let kinds: [ChatTemplateError.Kind?] = await withCheckedContinuation { continuation in
            let thread = Thread {
                continuation.resume(returning: sources.map { error($0)?.kind })
            }
            thread.stackSize = stackSize
            thread.start()
        }
        #expect(kinds == [.limit, .limit, .limit, .syntax])
        #expect(try render("{{ \(parens.0)1\(parens.1) }}\(ifs.0)x\(ifs.1)") == "1x")
    }

    @Test func rendersConcurrently() async throws {
        let template = try ChatTemplate(
            source: "{% for m in messages %}<{{ m.role }}>{{ m.content|trim }}{% endfor %}", name: "concurrent")
        let results = await withTaskGroup(of: String?.self) { group in
            for i in 0..<16 {
                group.addTask {
                    try? template.render(ChatTemplateContext(chat: [ChatMessage(role: "user", " \(i) ")]))
                }
            }
            var all: [String?] = []
            for await result in group { all.append(result) }
            return all
        }
        #expect(Set(results.compactMap { $0 }) == Set((0..<16).map { "<user>\($0)" }))
    }
}
