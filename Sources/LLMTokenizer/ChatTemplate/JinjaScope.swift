/// A frame of variables. Lookups fall back to the enclosing frame; assignments always
/// land in this one. The template body, each for-loop iteration, each macro call and each
/// `with` block get their own frame, which gives jinja2's scoping: a `set` inside a loop
/// is gone after the iteration, a `set` inside an `if` is not.
final class JinjaScope {
    private var variables: [String: JinjaValue] = [:]
    let parent: JinjaScope?

    init(parent: JinjaScope?) {
        self.parent = parent
    }

    /// The value of `name` in this frame or the nearest enclosing one that has it.
    func lookup(_ name: String) -> JinjaValue? {
        var scope = self
        while true {
            if let value = scope.variables[name] { return value }
            guard let parent = scope.parent else { return nil }
            scope = parent
        }
    }

    func set(_ name: String, _ value: JinjaValue) {
        variables[name] = value
    }
}
