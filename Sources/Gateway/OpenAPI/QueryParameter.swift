/// A query parameter of a route as the document describes it: its name, what it means, and the
/// values the gateway accepts (a value outside them is a 422 naming the parameter).
public struct QueryParameter: Sendable {
    public enum Values: Sendable {
        /// Any text.
        case text
        /// An integer in the range; `defaultValue` when absent.
        case integer(ClosedRange<Int>, defaultValue: Int?)
        /// A number in the range.
        case number(ClosedRange<Double>)
        /// One of the words.
        case oneOf([String])
        /// One or more of the words, comma-separated.
        case listOf([String])
        /// Text matching the regular expression.
        case pattern(String)
        /// Text of so many characters.
        case length(ClosedRange<Int>)
    }

    public var name: String
    public var description: String
    public var values: Values

    public init(_ name: String, _ description: String, _ values: Values = .text) {
        self.name = name
        self.description = description
        self.values = values
    }

    /// `limit`: 1 to `max`, `defaultValue` when absent.
    static func limit(_ max: Int, default defaultValue: Int) -> Self {
        Self("limit", "1-\(max), default \(defaultValue)", .integer(1...max, defaultValue: defaultValue))
    }

    /// `cursor`: the `next_cursor` of the previous page, in the shape the route's ids have.
    static func cursor(_ pattern: String, _ description: String = "next_cursor of the previous page") -> Self {
        Self("cursor", description, .pattern(pattern))
    }

    /// `true` or `false`.
    static func flag(_ name: String, _ description: String) -> Self {
        Self(name, description, .oneOf(["true", "false"]))
    }

    /// A job id's shape (UUID, lower-case hex): jobs, import batches, signals, synthetic jobs.
    static let uuidPattern = "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"

    /// The parameter's JSON Schema.
    var schema: [String: Any] {
        switch values {
        case .text:
            return ["type": "string", "pattern": OpenAPIDocument.nulFreePattern]
        case .integer(let range, let defaultValue):
            var schema: [String: Any] = ["type": "integer", "minimum": range.lowerBound, "maximum": range.upperBound]
            if let defaultValue { schema["default"] = defaultValue }
            return schema
        case .number(let range):
            return ["type": "number", "minimum": range.lowerBound, "maximum": range.upperBound]
        case .oneOf(let words):
            return ["type": "string", "enum": words]
        case .listOf(let words):
            let one = "(" + words.joined(separator: "|") + ")"
            return ["type": "string", "pattern": "^\(one)(,\(one))*$"]
        case .pattern(let pattern):
            return ["type": "string", "pattern": pattern]
        case .length(let range):
            return [
                "type": "string", "minLength": range.lowerBound, "maxLength": range.upperBound,
                "pattern": OpenAPIDocument.nulFreePattern,
            ]
        }
    }
}
