import VelocityTypes

/// The names the `type` keyword accepts.
enum JSONType: String, Sendable, CaseIterable {
    case null, boolean, object, array, number, string, integer

    /// Whether `value` is of this type; `integer` takes any number without a fraction, `1.0`
    /// included, as the specification asks.
    func matches(_ value: JSONValue) -> Bool {
        switch (self, value) {
        case (.null, .null), (.boolean, .bool), (.object, .object), (.array, .array),
             (.string, .string), (.number, .int), (.number, .double), (.integer, .int):
            return true
        case (.integer, .double(let number)):
            return number.isFinite && number == number.rounded(.towardZero)
        default:
            return false
        }
    }

    /// The name of the type of `value` for messages; numbers with a fraction are "number" and
    /// the others "integer", so that "expected integer but got number" reads right.
    static func name(of value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "boolean"
        case .object: "object"
        case .array: "array"
        case .string: "string"
        case .int: "integer"
        case .double: JSONType.integer.matches(value) ? "integer" : "number"
        }
    }
}
