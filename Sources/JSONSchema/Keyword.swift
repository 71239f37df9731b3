import VelocityTypes

/// A subschema under a property name (`properties`, `dependentSchemas`).
struct NamedSchema: Sendable {
    let name: String
    let node: NodeID
}

/// A subschema under a regular expression (`patternProperties`).
struct PatternSchema: Sendable {
    let pattern: CompiledPattern
    let node: NodeID
}

/// A `dependentRequired` entry: when `property` is present, so must `required` be.
struct Dependency: Sendable {
    let property: String
    let required: [String]
}

/// The keywords this module evaluates, with their values checked and converted.
enum Keyword: Sendable {
    case ref(slot: Int, reference: String)
    case type([JSONType])
    case enumeration([JSONValue])
    case constant(JSONValue)

    case minimum(SchemaNumber)
    case maximum(SchemaNumber)
    case exclusiveMinimum(SchemaNumber)
    case exclusiveMaximum(SchemaNumber)
    case multipleOf(SchemaNumber)

    case minLength(Int)
    case maxLength(Int)
    case pattern(CompiledPattern)
    case format(StringFormat)

    case prefixItems([NodeID])
    /// `items`, applied from index `from` on, after the `prefixItems`.
    case items(NodeID, from: Int)
    case contains(NodeID, minimum: Int, maximum: Int?)
    case minItems(Int)
    case maxItems(Int)
    case uniqueItems

    case required([String])
    case properties([NamedSchema])
    case patternProperties([PatternSchema])
    /// `additionalProperties`, with the names and patterns that make a property not additional.
    case additionalProperties(NodeID, declared: Set<String>, patterns: [CompiledPattern])
    case propertyNames(NodeID)
    case dependentRequired([Dependency])
    case dependentSchemas([NamedSchema])
    case minProperties(Int)
    case maxProperties(Int)

    case allOf([NodeID])
    case anyOf([NodeID])
    case oneOf([NodeID])
    case not(NodeID)
    case conditional(if: NodeID, then: NodeID?, else: NodeID?)
}
