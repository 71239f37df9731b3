import JSONSchema
import Testing
import VelocityTypes

/// JSON written as text in a test; a typo fails the test at the call.
func json(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    try #require(JSONValue(parsing: text), sourceLocation: sourceLocation)
}

/// A schema written as JSON text, compiled.
func schema(_ text: String, formatAssertion: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONSchema {
    try JSONSchema(json(text, sourceLocation: sourceLocation), formatAssertion: formatAssertion)
}

/// The `SchemaError` that compiling `text` throws; fails the test when it compiles.
func schemaError(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> SchemaError {
    let document = try json(text, sourceLocation: sourceLocation)
    return try #require(throws: SchemaError.self, sourceLocation: sourceLocation) {
        try JSONSchema(document)
    }
}
