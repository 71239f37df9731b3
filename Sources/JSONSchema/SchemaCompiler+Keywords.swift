import VelocityTypes

/// The keywords of an object schema, compiled in the order they are evaluated: `$ref`, the
/// assertions on the value itself, then arrays, objects, and the combinators.
extension SchemaCompiler {
    /// Keywords whose meaning this module does not implement; ignoring them would accept
    /// instances the schema's author meant to refuse, so the schema is refused instead.
    private static let unsupported: [String: String] = [
        "$dynamicRef": "use \"$ref\"",
        "$recursiveRef": "use \"$ref\"",
        "unevaluatedProperties": "use \"additionalProperties\"",
        "unevaluatedItems": "use \"items\"",
    ]

    /// The count keywords of strings, arrays and objects; each takes a non-negative integer.
    private static let stringCounts: [(String, @Sendable (Int) -> Keyword)] = [
        ("minLength", Keyword.minLength), ("maxLength", Keyword.maxLength),
    ]
    private static let arrayCounts: [(String, @Sendable (Int) -> Keyword)] = [
        ("minItems", Keyword.minItems), ("maxItems", Keyword.maxItems),
    ]
    private static let objectCounts: [(String, @Sendable (Int) -> Keyword)] = [
        ("minProperties", Keyword.minProperties), ("maxProperties", Keyword.maxProperties),
    ]

    /// The bounds of numbers; each takes a number.
    private static let bounds: [(String, @Sendable (SchemaNumber) -> Keyword)] = [
        ("minimum", Keyword.minimum), ("maximum", Keyword.maximum),
        ("exclusiveMinimum", Keyword.exclusiveMinimum), ("exclusiveMaximum", Keyword.exclusiveMaximum),
    ]

    mutating func compileKeywords(
        _ schema: [String: JSONValue], at location: String
    ) throws(SchemaError) -> [CompiledKeyword] {
        for (keyword, advice) in Self.unsupported.sorted(by: { $0.key < $1.key }) where schema[keyword] != nil {
            throw SchemaError(at: JSONPointer.appending(keyword, to: location),
                              "\"\(keyword)\" is not supported by this validator; \(advice)")
        }
        var keywords = try compileValueKeywords(schema, at: location)
        keywords += try compileArrayKeywords(schema, at: location)
        keywords += try compileObjectKeywords(schema, at: location)
        keywords += try compileCombinators(schema, at: location)
        // Every definition is compiled, used or not, so that a mistake in one is reported when
        // the schema is submitted and its anchors are known to the references.
        if let value = schema["$defs"] {
            _ = try subschemaMap(value, "$defs", at: JSONPointer.appending("$defs", to: location))
        }
        return keywords
    }

    /// `$ref`, `type`, `enum`, `const`, the numeric keywords, the string keywords and `format`.
    private mutating func compileValueKeywords(
        _ schema: [String: JSONValue], at location: String
    ) throws(SchemaError) -> [CompiledKeyword] {
        var list = KeywordList(location: location)

        if let value = schema["$ref"] {
            let reference = try Self.string(value, "$ref", at: list.path("$ref"))
            list.add("$ref", .ref(slot: registerReference(reference, at: list.path("$ref")), reference: reference))
        }
        if let value = schema["type"] { list.add("type", .type(try Self.typeNames(value, at: list.path("type")))) }
        if let value = schema["enum"] {
            guard case .array(let options) = value else { throw Self.mismatch("enum", "an array", value, at: list.path("enum")) }
            list.add("enum", .enumeration(options))
        }
        if let value = schema["const"] { list.add("const", .constant(value)) }
        for (name, keyword) in Self.bounds {
            if let value = schema[name] { list.add(name, keyword(try Self.number(value, name, at: list.path(name)))) }
        }
        if let value = schema["multipleOf"] {
            let divisor = try Self.number(value, "multipleOf", at: list.path("multipleOf"))
            guard divisor.doubleValue > 0 else {
                throw Self.mismatch("multipleOf", "a number greater than 0", value, at: list.path("multipleOf"))
            }
            list.add("multipleOf", .multipleOf(divisor))
        }
        for (name, keyword) in Self.stringCounts {
            if let value = schema[name] { list.add(name, keyword(try Self.nonNegativeInteger(value, name, at: list.path(name)))) }
        }
        if let value = schema["pattern"] { list.add("pattern", .pattern(try Self.pattern(value, "pattern", at: list.path("pattern")))) }
        if let value = schema["format"] {
            let name = try Self.string(value, "format", at: list.path("format"))
            // Without assertion, and for formats this module does not know, `format` is an annotation.
            if formatAssertion, let format = StringFormat(rawValue: name) { list.add("format", .format(format)) }
        }
        return list.keywords
    }

    /// `prefixItems`, `items`, `contains` with `minContains` and `maxContains`, `minItems`,
    /// `maxItems`, `uniqueItems`.
    private mutating func compileArrayKeywords(
        _ schema: [String: JSONValue], at location: String
    ) throws(SchemaError) -> [CompiledKeyword] {
        var list = KeywordList(location: location)

        var prefixCount = 0
        if let value = schema["prefixItems"] {
            let nodes = try subschemaArray(value, "prefixItems", at: list.path("prefixItems"))
            prefixCount = nodes.count
            list.add("prefixItems", .prefixItems(nodes))
        }
        if let value = schema["items"] {
            if case .array = value {
                throw SchemaError(at: list.path("items"), "\"items\" must be a schema; an array of schemas is the form "
                    + "of drafts before 2020-12, now written \"prefixItems\"")
            }
            list.add("items", .items(try compileSchema(value, at: list.path("items")), from: prefixCount))
        }
        if let value = schema["contains"] {
            let node = try compileSchema(value, at: list.path("contains"))
            var minimum = 1
            var maximum: Int?
            if let bound = schema["minContains"] {
                minimum = try Self.nonNegativeInteger(bound, "minContains", at: list.path("minContains"))
            }
            if let bound = schema["maxContains"] {
                maximum = try Self.nonNegativeInteger(bound, "maxContains", at: list.path("maxContains"))
            }
            list.add("contains", .contains(node, minimum: minimum, maximum: maximum))
        }
        for (name, keyword) in Self.arrayCounts {
            if let value = schema[name] { list.add(name, keyword(try Self.nonNegativeInteger(value, name, at: list.path(name)))) }
        }
        if let value = schema["uniqueItems"] {
            guard case .bool(let unique) = value else {
                throw Self.mismatch("uniqueItems", "a boolean", value, at: list.path("uniqueItems"))
            }
            if unique { list.add("uniqueItems", .uniqueItems) }
        }
        return list.keywords
    }

    /// `required`, `properties`, `patternProperties`, `additionalProperties`, `propertyNames`,
    /// `dependentRequired`, `dependentSchemas`, `minProperties`, `maxProperties`.
    private mutating func compileObjectKeywords(
        _ schema: [String: JSONValue], at location: String
    ) throws(SchemaError) -> [CompiledKeyword] {
        var list = KeywordList(location: location)

        if let value = schema["required"] { list.add("required", .required(try Self.stringArray(value, "required", at: list.path("required")))) }
        var declared: [NamedSchema] = []
        if let value = schema["properties"] {
            declared = try subschemaMap(value, "properties", at: list.path("properties"))
            list.add("properties", .properties(declared))
        }
        var patterns: [PatternSchema] = []
        if let value = schema["patternProperties"] {
            guard case .object(let members) = value else {
                throw Self.mismatch("patternProperties", "an object of schemas", value, at: list.path("patternProperties"))
            }
            for (source, member) in members.sorted(by: { $0.key < $1.key }) {
                let memberPath = JSONPointer.appending(source, to: list.path("patternProperties"))
                let pattern = try Self.compilePattern(source, at: memberPath)
                patterns.append(PatternSchema(pattern: pattern, node: try compileSchema(member, at: memberPath)))
            }
            list.add("patternProperties", .patternProperties(patterns))
        }
        if let value = schema["additionalProperties"] {
            let node = try compileSchema(value, at: list.path("additionalProperties"))
            list.add("additionalProperties", .additionalProperties(
                node, declared: Set(declared.map(\.name)), patterns: patterns.map(\.pattern)))
        }
        if let value = schema["propertyNames"] {
            list.add("propertyNames", .propertyNames(try compileSchema(value, at: list.path("propertyNames"))))
        }
        if let value = schema["dependentRequired"] {
            guard case .object(let members) = value else {
                throw Self.mismatch("dependentRequired", "an object of string arrays", value, at: list.path("dependentRequired"))
            }
            var dependencies: [Dependency] = []
            for (property, required) in members.sorted(by: { $0.key < $1.key }) {
                let memberPath = JSONPointer.appending(property, to: list.path("dependentRequired"))
                let names = try Self.stringArray(required, "dependentRequired", at: memberPath)
                dependencies.append(Dependency(property: property, required: names))
            }
            list.add("dependentRequired", .dependentRequired(dependencies))
        }
        if let value = schema["dependentSchemas"] {
            list.add("dependentSchemas", .dependentSchemas(try subschemaMap(value, "dependentSchemas", at: list.path("dependentSchemas"))))
        }
        for (name, keyword) in Self.objectCounts {
            if let value = schema[name] { list.add(name, keyword(try Self.nonNegativeInteger(value, name, at: list.path(name)))) }
        }
        return list.keywords
    }

    /// `allOf`, `anyOf`, `oneOf`, `not`, and `if` with `then` and `else`.
    private mutating func compileCombinators(
        _ schema: [String: JSONValue], at location: String
    ) throws(SchemaError) -> [CompiledKeyword] {
        var list = KeywordList(location: location)

        let lists: [(String, ([NodeID]) -> Keyword)] = [("allOf", Keyword.allOf), ("anyOf", Keyword.anyOf), ("oneOf", Keyword.oneOf)]
        for (name, keyword) in lists {
            if let value = schema[name] { list.add(name, keyword(try subschemaArray(value, name, at: list.path(name)))) }
        }
        if let value = schema["not"] { list.add("not", .not(try compileSchema(value, at: list.path("not")))) }
        // `then` and `else` are compiled even without `if`, so that a mistake in them is reported.
        var then: NodeID?
        if let value = schema["then"] { then = try compileSchema(value, at: list.path("then")) }
        var otherwise: NodeID?
        if let value = schema["else"] { otherwise = try compileSchema(value, at: list.path("else")) }
        if let value = schema["if"] {
            list.add("if", .conditional(if: try compileSchema(value, at: list.path("if")), then: then, else: otherwise))
        }
        return list.keywords
    }
}
