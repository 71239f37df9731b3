/// The ways language models break the JSON they were asked for, which the emulator reproduces
/// at configured rates so clients can be tested against them.
public enum BrokenJSONKind: String, Sendable, CaseIterable, Codable {
    /// Wrapped in a Markdown code fence: ```` ```json … ``` ````.
    case fenced
    /// A sentence before and after the JSON.
    case prose
    /// A comma before the closing brace or bracket: `{"a": 1,}`.
    case trailingComma = "trailing_comma"
    /// Single-quoted keys and strings, Python-dict style: `{'a': 'b'}`.
    case singleQuotes = "single_quotes"
    /// Cut off in the middle of a value, with `finish_reason: "length"`.
    case truncated
    /// Well-formed JSON that breaks the schema: a number past its bound, a required property
    /// missing, a value outside its enum, or the wrong type.
    case schemaViolation = "schema_violation"
}
