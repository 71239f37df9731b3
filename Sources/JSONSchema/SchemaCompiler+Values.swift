import VelocityTypes

/// Readers of keyword values: each checks the value against the specification's metaschema and
/// throws a `SchemaError` naming the keyword and its place when it does not fit.
extension SchemaCompiler {
    static func mismatch(_ keyword: String, _ expected: String, _ value: JSONValue, at path: String) -> SchemaError {
        SchemaError(at: path, "\"\(keyword)\" must be \(expected), got \(describe(value))")
    }

    /// `2` and `2.0`; the count keywords (`minLength`, `maxItems`, ...) take either.
    static func nonNegativeInteger(_ value: JSONValue, _ keyword: String, at path: String) throws(SchemaError) -> Int {
        switch value {
        case .int(let number) where number >= 0:
            return Int(number)
        case .double(let number) where number >= 0 && number == number.rounded() && number < 9.0e18:
            return Int(number)
        default:
            throw mismatch(keyword, "a non-negative integer", value, at: path)
        }
    }

    static func number(_ value: JSONValue, _ keyword: String, at path: String) throws(SchemaError) -> SchemaNumber {
        guard let number = SchemaNumber(value) else { throw mismatch(keyword, "a number", value, at: path) }
        return number
    }

    static func string(_ value: JSONValue, _ keyword: String, at path: String) throws(SchemaError) -> String {
        guard case .string(let text) = value else { throw mismatch(keyword, "a string", value, at: path) }
        return text
    }

    /// An array of distinct strings (`required`, the values of `dependentRequired`).
    static func stringArray(_ value: JSONValue, _ keyword: String, at path: String) throws(SchemaError) -> [String] {
        guard case .array(let items) = value else { throw mismatch(keyword, "an array of strings", value, at: path) }
        var strings: [String] = []
        for (index, item) in items.enumerated() {
            let itemPath = JSONPointer.appending(String(index), to: path)
            guard case .string(let text) = item else {
                throw mismatch(keyword, "an array of strings", value, at: itemPath)
            }
            if strings.contains(text) {
                throw SchemaError(at: itemPath, "\"\(keyword)\" lists \(text.quotedForMessage) twice")
            }
            strings.append(text)
        }
        return strings
    }

    /// The names of `type`: one name or a non-empty array of distinct names.
    static func typeNames(_ value: JSONValue, at path: String) throws(SchemaError) -> [JSONType] {
        let expected = "a type name or an array of type names"
        let names: [(String, JSONValue)]
        switch value {
        case .string: names = [(path, value)]
        case .array(let items) where !items.isEmpty:
            names = items.enumerated().map { (JSONPointer.appending(String($0.offset), to: path), $0.element) }
        default: throw mismatch("type", expected, value, at: path)
        }
        var types: [JSONType] = []
        for (namePath, name) in names {
            guard case .string(let text) = name else { throw mismatch("type", expected, name, at: namePath) }
            guard let type = JSONType(rawValue: text) else {
                let known = JSONType.allCases.map(\.rawValue).joined(separator: ", ")
                throw SchemaError(at: namePath, "unknown type \(text.quotedForMessage); the types are \(known)")
            }
            guard !types.contains(type) else { throw SchemaError(at: namePath, "\"type\" lists \"\(text)\" twice") }
            types.append(type)
        }
        return types
    }

    static func pattern(_ value: JSONValue, _ keyword: String, at path: String) throws(SchemaError) -> CompiledPattern {
        let source = try string(value, keyword, at: path)
        return try compilePattern(source, at: path)
    }

    static func compilePattern(_ source: String, at path: String) throws(SchemaError) -> CompiledPattern {
        switch CompiledPattern.compile(source) {
        case .success(let pattern): return pattern
        case .failure: throw SchemaError(at: path, "\(source.quotedForMessage) is not a valid regular expression")
        }
    }

    /// A non-empty array of schemas (`allOf`, `anyOf`, `oneOf`, `prefixItems`).
    mutating func subschemaArray(_ value: JSONValue, _ keyword: String, at path: String) throws(SchemaError) -> [NodeID] {
        guard case .array(let items) = value, !items.isEmpty else {
            throw Self.mismatch(keyword, "a non-empty array of schemas", value, at: path)
        }
        var nodes: [NodeID] = []
        for (index, item) in items.enumerated() {
            nodes.append(try compileSchema(item, at: JSONPointer.appending(String(index), to: path)))
        }
        return nodes
    }

    /// An object of schemas by name (`properties`, `dependentSchemas`, `$defs`), sorted by name
    /// so that failures come in a stable order.
    mutating func subschemaMap(_ value: JSONValue, _ keyword: String, at path: String) throws(SchemaError) -> [NamedSchema] {
        guard case .object(let members) = value else {
            throw Self.mismatch(keyword, "an object of schemas", value, at: path)
        }
        var schemas: [NamedSchema] = []
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            let node = try compileSchema(member, at: JSONPointer.appending(name, to: path))
            schemas.append(NamedSchema(name: name, node: node))
        }
        return schemas
    }
}
