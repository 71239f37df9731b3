import VelocityTypes

extension JSONValue {
    /// Equality as `enum`, `const` and `uniqueItems` define it: numbers by value (1 equals
    /// 1.0, but not `true`), strings by code point (Swift's `==` would take "ä" written as
    /// a + U+0308 for U+00E4), arrays in order and objects without.
    func schemaEquals(_ other: JSONValue) -> Bool {
        switch (self, other) {
        case (.null, .null):
            return true
        case (.bool(let lhs), .bool(let rhs)):
            return lhs == rhs
        case (.string(let lhs), .string(let rhs)):
            return lhs.unicodeScalars.elementsEqual(rhs.unicodeScalars)
        case (.array(let lhs), .array(let rhs)):
            return lhs.count == rhs.count && zip(lhs, rhs).allSatisfy { $0.schemaEquals($1) }
        case (.object(let lhs), .object(let rhs)):
            guard lhs.count == rhs.count else { return false }
            return lhs.allSatisfy { key, value in rhs[key].map(value.schemaEquals) ?? false }
        default:
            guard let lhs = SchemaNumber(self), let rhs = SchemaNumber(other) else { return false }
            return lhs.compare(to: rhs) == 0
        }
    }
}
