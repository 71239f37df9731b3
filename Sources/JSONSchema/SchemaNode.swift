/// Index of a schema in `SchemaGraph.nodes`: `$ref` cycles make the schemas a graph, so they
/// refer to each other by index.
typealias NodeID = Int

/// One compiled schema: a boolean schema, or the keywords of an object schema in the order they
/// are evaluated.
struct SchemaNode: Sendable {
    /// JSON pointer to this schema in the document.
    let location: String
    /// The value of a boolean schema; nil for an object schema.
    var constant: Bool?
    var keywords: [CompiledKeyword] = []
}

/// A keyword with its place in the schema document, for `ValidationFailure.schemaPath`.
struct CompiledKeyword: Sendable {
    let keyword: Keyword
    let schemaPath: String
}
