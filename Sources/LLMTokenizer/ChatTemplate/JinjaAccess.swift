/// `value.name`, `value[key]` and `value[a:b:c]` as jinja2's sandboxed environment
/// resolves them: `.name` tries Python attributes (methods such as `dict.items`) before
/// items, `[key]` tries items before attributes, and a miss is Undefined, not an error.
enum JinjaAccess {
    /// `value.name` for a defined value.
    static func attribute(of value: JinjaValue, _ name: String) -> JinjaValue {
        switch value {
        case .object(let object):
            if JinjaMethods.has(value, name) { return JinjaMethods.bound(value, name) }
            return object[name] ?? .missingAttribute(value, name)
        case .namespace(let namespace):
            return namespace.attributes[name] ?? .missingAttribute(value, name)
        case .callable(let callable):
            if case .loop(let loop) = callable.kind { return loop.attribute(name) ?? .missingAttribute(value, name) }
            return .missingAttribute(value, name)
        case .string, .array:
            return JinjaMethods.has(value, name) ? JinjaMethods.bound(value, name) : .missingAttribute(value, name)
        default:
            return .missingAttribute(value, name)
        }
    }

    /// `value[key]` for a defined value.
    static func item(of value: JinjaValue, _ key: JinjaValue) -> JinjaValue {
        switch value {
        case .object(let object):
            if let k = JinjaKey(key), let found = object[k] { return found }
        case .array(let items):
            if let i = key.integerValue { return element(items, i) ?? .missingItem(value, key) }
        case .string(let s):
            if let i = key.integerValue {
                let scalars = Array(s.unicodeScalars)
                return element(scalars, i).map { .string(String($0)) } ?? .missingItem(value, key)
            }
        default:
            break
        }
        if case .string(let name) = key { return attribute(of: value, name) }
        return .missingItem(value, key)
    }

    private static func element<T>(_ items: [T], _ index: Int) -> T? {
        let i = index < 0 ? index + items.count : index
        return i >= 0 && i < items.count ? items[i] : nil
    }

    /// `value[start:stop:step]` for a list or string; other values give Undefined.
    static func slice(_ value: JinjaValue, start: JinjaValue?, stop: JinjaValue?, step: JinjaValue?)
        throws(ChatTemplateError) -> JinjaValue
    {
        switch value {
        case .array(let items):
            let indices = try sliceIndices(items.count, start, stop, step)
            return .array(indices.map { items[$0] })
        case .string(let s):
            let scalars = Array(s.unicodeScalars)
            let indices = try sliceIndices(scalars.count, start, stop, step)
            return .string(PythonString.string(indices.map { scalars[$0] }))
        default:
            return .undefinedValue
        }
    }

    private static func sliceBound(_ value: JinjaValue?) throws(ChatTemplateError) -> Int? {
        switch value {
        case nil, .some(.none): return nil
        case .some(let v):
            guard let i = v.integerValue else {
                throw .type("slice indices must be integers or None or have an __index__ method")
            }
            return i
        }
    }

    /// The positions Python's `slice(start, stop, step).indices(count)` selects.
    static func sliceIndices(_ count: Int, _ start: JinjaValue?, _ stop: JinjaValue?, _ step: JinjaValue?)
        throws(ChatTemplateError) -> [Int]
    {
        let step = try sliceBound(step) ?? 1
        guard step != 0 else { throw .value("slice step cannot be zero") }
        func clamp(_ bound: Int?, _ fallback: Int) -> Int {
            guard var i = bound else { return fallback }
            if i < 0 {
                i += count
                if i < 0 { i = step < 0 ? -1 : 0 }
            } else if i >= count {
                i = step < 0 ? count - 1 : count
            }
            return i
        }
        let first = clamp(try sliceBound(start), step < 0 ? count - 1 : 0)
        let end = clamp(try sliceBound(stop), step < 0 ? -1 : count)
        var indices: [Int] = []
        var i = first
        while step > 0 ? i < end : i > end {
            indices.append(i)
            let (next, overflow) = i.addingReportingOverflow(step)
            if overflow { break }
            i = next
        }
        return indices
    }
}
