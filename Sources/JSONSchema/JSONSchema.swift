public import VelocityTypes

/// A JSON Schema (draft 2020-12), compiled once and then used to validate any number of
/// instances, from any thread.
///
/// ```swift
/// let schema = try JSONSchema(outputSchema)      // at submit: a SchemaError refuses the job
/// let failures = schema.validate(answer)         // per answer: empty when it is valid
/// let feedback = failures.map(\.message).joined(separator: "\n")
/// ```
///
/// Keywords: `type`, `enum`, `const`; `minimum`, `maximum`, `exclusiveMinimum`,
/// `exclusiveMaximum`, `multipleOf`; `minLength`, `maxLength`, `pattern`, `format`;
/// `prefixItems`, `items`, `contains`, `minContains`, `maxContains`, `minItems`, `maxItems`,
/// `uniqueItems`; `properties`, `patternProperties`, `additionalProperties`, `propertyNames`,
/// `required`, `dependentRequired`, `dependentSchemas`, `minProperties`, `maxProperties`;
/// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`; `$ref` to `#`, JSON pointers and
/// `$anchor`s within the document, `$defs`; boolean schemas. Unknown keywords are ignored.
///
/// Refused with a `SchemaError`, since ignoring them would accept what the schema's author
/// meant to refuse: a `$ref` outside the document, `$id` below the root, `$dynamicRef`,
/// `unevaluatedProperties`, `unevaluatedItems`, and the array form of `items`.
///
/// Numbers compare by value (1 equals 1.0), string lengths count Unicode code points, and
/// `pattern` is an unanchored search, as in ECMA-262.
public struct JSONSchema: Sendable {
    /// Whether `format` is checked (`date`, `date-time`, `email`, `uri`) rather than only
    /// annotating the value; other formats are never checked.
    public let formatAssertion: Bool
    private let graph: SchemaGraph

    /// Compiles `schema`: checks every keyword's value, resolves the `$ref`s and compiles the
    /// regular expressions.
    ///
    /// - Parameter formatAssertion: check `format` instead of treating it as an annotation,
    ///   which is the specification's default.
    /// - Throws: `SchemaError` naming the place in `schema` that is wrong.
    public init(_ schema: JSONValue, formatAssertion: Bool = false) throws(SchemaError) {
        self.formatAssertion = formatAssertion
        graph = try SchemaCompiler.compile(schema, formatAssertion: formatAssertion)
    }

    /// Every way `instance` breaks the schema, in a stable order; empty when it is valid.
    public func validate(_ instance: JSONValue) -> [ValidationFailure] {
        var failures: [ValidationFailure] = []
        SchemaEvaluator(graph: graph).evaluate(graph.root, instance, into: &failures)
        return failures
    }

    /// Whether `instance` satisfies the schema.
    public func isValid(_ instance: JSONValue) -> Bool {
        validate(instance).isEmpty
    }
}
