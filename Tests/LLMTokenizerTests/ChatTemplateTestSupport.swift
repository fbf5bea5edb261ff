import Foundation
import LLMTokenizer
import Testing

/// The chat template fixtures made by `Scripts/make_chat_template_fixtures.py`.
enum ChatTemplateFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/chat-templates")

    /// The names of the copied templates (file names without `.jinja`).
    static let templateNames: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("templates").path)) ?? []
        return names.filter { $0.hasSuffix(".jinja") }.map { String($0.dropLast(6)) }.sorted()
    }()

    static func json(_ path: String) throws -> JinjaValue {
        try JinjaValue(json: Data(contentsOf: root.appendingPathComponent(path)))
    }

    static func template(_ name: String) throws -> ChatTemplate {
        let source = try String(contentsOf: root.appendingPathComponent("templates/\(name).jinja"), encoding: .utf8)
        return try ChatTemplate(source: source, name: name)
    }

    /// The fixed clock both sides render with.
    static func date(_ iso: String) -> Date {
        ISO8601DateFormatter().date(from: iso) ?? Date(timeIntervalSince1970: 0)
    }

    /// The `ChatTemplateError.Kind` that matches a Python exception class.
    static func kind(ofPythonError type: String) -> ChatTemplateError.Kind? {
        switch type {
        case "TemplateError": return .raised
        case "UndefinedError": return .undefined
        case "TypeError", "TemplateRuntimeError": return .type
        case "ValueError", "ZeroDivisionError", "FilterArgumentError": return .value
        case "SecurityError": return .security
        case "TemplateSyntaxError", "TemplateAssertionError": return .syntax
        case "RecursionError", "OverflowError": return .limit
        default: return nil
        }
    }

    /// Checks a rendering outcome against a fixture entry holding `output` or
    /// `error: {type, message, line?}`. Syntax errors and recursion are compared by kind
    /// (and line), since their wording is jinja2's or CPython's own; everything else by message.
    static func check(_ entry: JinjaValue, render: () throws -> String, _ label: String) {
        if let expected = entry["output"]?.stringValue {
            do {
                let actual = try render()
                #expect(actual == expected, "\(label): rendering differs \(firstDifference(expected, actual))")
            } catch {
                Issue.record("\(label): expected output, got error \(error)")
            }
            return
        }
        guard let error = entry["error"], let type = error["type"]?.stringValue,
            let message = error["message"]?.stringValue
        else {
            Issue.record("\(label): malformed fixture entry")
            return
        }
        do {
            let actual = try render()
            Issue.record("\(label): expected \(type): \(message), got output \(actual.debugDescription)")
        } catch let thrown as ChatTemplateError {
            #expect(thrown.kind == kind(ofPythonError: type), "\(label): \(type) expected, got \(thrown)")
            switch type {
            case "TemplateSyntaxError", "RecursionError":
                if case .int(let line)? = error["line"] {
                    #expect(thrown.line == line, "\(label): error line \(String(describing: thrown.line)), expected \(line)")
                }
            default:
                #expect(thrown.message == message, "\(label): message differs: \(thrown.message) vs \(message)")
            }
        } catch {
            Issue.record("\(label): unexpected error \(error)")
        }
    }

    /// Where two renderings first differ, with a little context on each side.
    static func firstDifference(_ expected: String, _ actual: String) -> String {
        let e = Array(expected.unicodeScalars)
        let a = Array(actual.unicodeScalars)
        var i = 0
        while i < min(e.count, a.count) && e[i] == a[i] { i += 1 }
        func around(_ s: [Unicode.Scalar]) -> String {
            var view = String.UnicodeScalarView()
            view.append(contentsOf: s[max(0, i - 40)..<min(s.count, i + 60)])
            return String(view).debugDescription
        }
        return "at scalar \(i) (lengths \(e.count) vs \(a.count)):\n  expected \(around(e))\n  actual   \(around(a))"
    }
}
