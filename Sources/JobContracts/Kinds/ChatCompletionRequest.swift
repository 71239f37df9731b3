public import VelocityTypes

/// An OpenAI-compatible chat completion request body, kept field for field (`messages`,
/// `max_tokens`, `response_format`, a server's own extensions…) so that what the client sent
/// reaches the server unchanged. Which fields a server takes is the server's to say.
public struct ChatCompletionRequest: Codable, Sendable, Equatable {
    public var fields: [String: JSONValue]

    public init(fields: [String: JSONValue]) {
        self.fields = fields
    }

    public init(from decoder: any Decoder) throws {
        fields = try decoder.singleValueContainer().decode([String: JSONValue].self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(fields)
    }

    public subscript(field: String) -> JSONValue? {
        get { fields[field] }
        set { fields[field] = newValue }
    }
}
