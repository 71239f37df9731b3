import JSONSchema
public import VelocityTypes

/// The part of JSON Schema that structured-output requests use (OpenAI's `json_schema`
/// response format, pydantic's `model_json_schema()`): types, object properties and `required`,
/// `enum`/`const`, numeric bounds, string lengths and formats, array items and sizes, `anyOf`/
/// `oneOf`/`allOf`, and local `$ref`s into `$defs`/`definitions`. Keywords outside that subset
/// (`pattern`, `multipleOf`, …) are accepted and ignored, as a lenient server would.
///
/// Immutable once parsed; `JSONSchemaGenerator` makes values that fit it, and the parsed root
/// keeps the product's own validator (`JSONSchema`, draft 2020-12) for `violations(of:)`, so the
/// emulator judges its answers by the rules clients check them with.
public final class GenerationSchema: Sendable {
    /// Allowed types (`object`, `array`, `string`, `integer`, `number`, `boolean`, `null`);
    /// empty means any.
    public let types: [String]
    public let properties: [String: GenerationSchema]
    /// Property names in the order a generator writes them: `required` ones first as listed,
    /// then the rest alphabetically (the request's own key order is lost in parsing).
    public let propertyOrder: [String]
    public let required: [String]
    /// False when `additionalProperties: false`.
    public let additionalProperties: Bool
    public let items: GenerationSchema?
    public let enumValues: [JSONValue]?
    public let constValue: JSONValue?
    public let minimum: Double?
    public let maximum: Double?
    public let exclusiveMinimum: Double?
    public let exclusiveMaximum: Double?
    public let minLength: Int?
    public let maxLength: Int?
    public let format: String?
    public let minItems: Int?
    public let maxItems: Int?
    /// `anyOf` and `oneOf` alternatives (a value must fit one).
    public let anyOf: [GenerationSchema]
    /// `allOf` parts (a value must fit each).
    public let allOf: [GenerationSchema]
    /// The whole schema compiled by the product's validator; set on the parsed root only.
    let validator: JSONSchema?

    static let knownTypes: Set<String> = ["object", "array", "string", "integer", "number", "boolean", "null"]
    /// Deeper `$ref` chains (recursive schemas) end in an unconstrained schema.
    static let maxDepth = 12

    /// Parses `json`, a schema object (`true` and `{}` accept anything).
    public convenience init(_ json: JSONValue) throws(GenerationSchemaError) {
        let fields = try Self.fields(json, root: json, path: "$", depth: 0)
        let validator: JSONSchema
        do {
            validator = try JSONSchema(json)
        } catch {
            throw GenerationSchemaError(.invalidSchema, error.description)
        }
        self.init(fields: fields, validator: validator)
    }

    /// Where `value` does not fit this schema, one line per problem in the validator's words
    /// (`/rooms: 12 is greater than the maximum 9`); empty when it fits. Only the parsed root
    /// checks: a sub-schema's rules depend on where it sits.
    public func violations(of value: JSONValue) -> [String] {
        validator?.validate(value).map(\.message) ?? []
    }

    /// The keywords, gathered before the immutable schema is made.
    struct Fields {
        var types: [String] = []
        var properties: [String: GenerationSchema] = [:]
        var propertyOrder: [String] = []
        var required: [String] = []
        var additionalProperties = true
        var items: GenerationSchema?
        var enumValues: [JSONValue]?
        var constValue: JSONValue?
        var minimum: Double?
        var maximum: Double?
        var exclusiveMinimum: Double?
        var exclusiveMaximum: Double?
        var minLength: Int?
        var maxLength: Int?
        var format: String?
        var minItems: Int?
        var maxItems: Int?
        var anyOf: [GenerationSchema] = []
        var allOf: [GenerationSchema] = []
    }

    init(fields: Fields, validator: JSONSchema? = nil) {
        self.validator = validator
        types = fields.types
        properties = fields.properties
        propertyOrder = fields.propertyOrder
        required = fields.required
        additionalProperties = fields.additionalProperties
        items = fields.items
        enumValues = fields.enumValues
        constValue = fields.constValue
        minimum = fields.minimum
        maximum = fields.maximum
        exclusiveMinimum = fields.exclusiveMinimum
        exclusiveMaximum = fields.exclusiveMaximum
        minLength = fields.minLength
        maxLength = fields.maxLength
        format = fields.format
        minItems = fields.minItems
        maxItems = fields.maxItems
        anyOf = fields.anyOf
        allOf = fields.allOf
    }

    static func fields(_ json: JSONValue, root: JSONValue, path: String, depth: Int) throws(GenerationSchemaError) -> Fields {
        if case .bool(true) = json { return Fields() }
        guard case .object(var object) = json else { throw GenerationSchemaError(.invalidSchema, "\(path): a schema must be an object") }
        if let ref = object["$ref"]?.stringValue {
            object = try resolve(ref, root: root, path: path).merging(object.filter { $0.key != "$ref" }) { _, own in own }
        }
        func child(_ value: JSONValue, _ name: String) throws(GenerationSchemaError) -> GenerationSchema {
            guard depth < maxDepth else { return GenerationSchema(fields: Fields()) }
            return GenerationSchema(fields: try GenerationSchema.fields(value, root: root, path: path + name, depth: depth + 1))
        }
        var fields = Fields()
        switch object["type"] {
        case .string(let type)?: fields.types = [type]
        case .array(let list)?: fields.types = list.compactMap(\.stringValue)
        case nil: break
        default: throw GenerationSchemaError(.invalidSchema, "\(path).type: must be a string or a list of strings")
        }
        if let unknown = fields.types.first(where: { !knownTypes.contains($0) }) {
            throw GenerationSchemaError(.invalidSchema, "\(path).type: unknown type '\(unknown)'")
        }
        if let members = object["properties"] {
            guard case .object(let members) = members else {
                throw GenerationSchemaError(.invalidSchema, "\(path).properties: must be an object")
            }
            for (name, schema) in members { fields.properties[name] = try child(schema, ".properties.\(name)") }
        }
        if fields.types.isEmpty && !fields.properties.isEmpty { fields.types = ["object"] }
        fields.required = object["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        let required = Set(fields.required)
        fields.propertyOrder = fields.required.filter { fields.properties[$0] != nil }
            + fields.properties.keys.filter { !required.contains($0) }.sorted()
        fields.additionalProperties = object["additionalProperties"]?.boolValue ?? true
        if let items = object["items"] { fields.items = try child(items, ".items") }
        fields.enumValues = object["enum"]?.arrayValue
        fields.constValue = object["const"]
        fields.minimum = object["minimum"]?.doubleValue
        fields.maximum = object["maximum"]?.doubleValue
        // Draft 4 wrote exclusive bounds as booleans beside minimum/maximum.
        fields.exclusiveMinimum = object["exclusiveMinimum"]?.doubleValue
            ?? (object["exclusiveMinimum"]?.boolValue == true ? object["minimum"]?.doubleValue : nil)
        fields.exclusiveMaximum = object["exclusiveMaximum"]?.doubleValue
            ?? (object["exclusiveMaximum"]?.boolValue == true ? object["maximum"]?.doubleValue : nil)
        fields.minLength = object["minLength"]?.intValue.map(Int.init)
        fields.maxLength = object["maxLength"]?.intValue.map(Int.init)
        fields.format = object["format"]?.stringValue
        fields.minItems = object["minItems"]?.intValue.map(Int.init)
        fields.maxItems = object["maxItems"]?.intValue.map(Int.init)
        for key in ["anyOf", "oneOf"] {
            for (index, value) in (object[key]?.arrayValue ?? []).enumerated() {
                fields.anyOf.append(try child(value, ".\(key)[\(index)]"))
            }
        }
        for (index, value) in (object["allOf"]?.arrayValue ?? []).enumerated() {
            fields.allOf.append(try child(value, ".allOf[\(index)]"))
        }
        return fields
    }

    /// The object a local reference (`#/$defs/Name`, `#/definitions/Name`) points at.
    static func resolve(_ ref: String, root: JSONValue, path: String) throws(GenerationSchemaError) -> [String: JSONValue] {
        guard ref.hasPrefix("#") else {
            throw GenerationSchemaError(.invalidSchema, "\(path).$ref: only local references (#/...) are supported, got '\(ref)'")
        }
        var node = root
        for token in ref.dropFirst().split(separator: "/") {
            let key = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node[key] else { throw GenerationSchemaError(.invalidSchema, "\(path).$ref: '\(ref)' points at nothing") }
            node = next
        }
        guard case .object(let object) = node else {
            throw GenerationSchemaError(.invalidSchema, "\(path).$ref: '\(ref)' is not a schema object")
        }
        return object
    }
}

/// A schema the emulator cannot use.
public typealias GenerationSchemaError = DomainError<GenerationSchemaErrorDomain>

/// The domain of `GenerationSchemaError`.
public enum GenerationSchemaErrorDomain: ErrorDomain {}

extension VelocityErrorCode {
    /// A `response_format` schema that is not a schema.
    public static let invalidSchema: Self = "invalid_schema"
}
