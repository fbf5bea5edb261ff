/// Bounds that make every rendering finish without exhausting memory or the stack, however
/// the template is written. The defaults leave real templates (which need a few levels and
/// a few thousand steps) far inside them.
public struct ChatTemplateLimits: Sendable {
    /// Deepest macro nesting (Python stops jinja2 macro recursion at about 190 levels).
    public var maxMacroDepth: Int
    /// Deepest nesting of statements and expressions being evaluated at once, across macro
    /// calls; this is what bounds the stack (the default fits a 512 KiB thread stack in
    /// release builds).
    public var maxNesting: Int
    /// Loop iterations plus macro calls in one rendering.
    public var maxSteps: Int
    /// Longest rendered text, in UTF-8 bytes.
    public var maxOutputBytes: Int

    /// The default bounds, or others.
    public init(
        maxMacroDepth: Int = 64, maxNesting: Int = 256, maxSteps: Int = 1_000_000, maxOutputBytes: Int = 1 << 26
    ) {
        self.maxMacroDepth = maxMacroDepth
        self.maxNesting = maxNesting
        self.maxSteps = maxSteps
        self.maxOutputBytes = maxOutputBytes
    }
}
