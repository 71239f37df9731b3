import Foundation

/// A `pattern` or `patternProperties` regular expression, compiled once with the schema.
///
/// `@unchecked Sendable`: `NSRegularExpression` is immutable and safe to match from several
/// threads at once (swift-corelibs-foundation clones the ICU expression when another thread is
/// using it), but that Foundation does not declare it `Sendable`.
struct CompiledPattern: @unchecked Sendable {
    /// The expression as written in the schema, for messages.
    let source: String
    private let expression: NSRegularExpression

    /// The expression, or the error that says why `source` does not compile.
    static func compile(_ source: String) -> Result<CompiledPattern, any Error> {
        Result { CompiledPattern(source: source, expression: try NSRegularExpression(pattern: source)) }
    }

    private init(source: String, expression: NSRegularExpression) {
        self.source = source
        self.expression = expression
    }

    /// Whether the expression matches anywhere in `text`: ECMA-262 patterns are not anchored.
    func matches(_ text: String) -> Bool {
        let range = NSRange(text.startIndex..., in: text)
        return expression.firstMatch(in: text, range: range) != nil
    }
}
