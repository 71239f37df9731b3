/// Why a schema was refused: where in the schema document, and what is wrong there.
///
/// Thrown by `JSONSchema.init` for a keyword of the wrong type (`"type": 5`, `"minimum": "x"`),
/// an unknown type name, a `pattern` that does not compile, or a `$ref` that is not local or does
/// not resolve.
public struct SchemaError: Error, Sendable, Hashable, CustomStringConvertible {
    /// JSON pointer to the offending value in the schema document (`/properties/score/minimum`),
    /// `""` for the document itself.
    public let schemaPath: String
    /// What is wrong there, in one sentence.
    public let message: String

    init(at schemaPath: String, _ message: String) {
        self.schemaPath = schemaPath
        self.message = message
    }

    /// `invalid schema at #/properties/score/minimum: "minimum" must be a number, got "x"`.
    public var description: String { "invalid schema at #\(schemaPath): \(message)" }
}
