import VelocityTypes

/// A result stored exactly as a server sent it: a completion's JSON is a job's result byte for
/// byte (no re-encoding, no reordering), which is what OpenAI-compatible clients expect back.
public struct RawJSON: Codable, Sendable, Equatable {
    /// The JSON text, unchanged.
    public let text: String

    public init(_ text: String) {
        self.text = text
    }

    public init(from decoder: any Decoder) throws {
        text = try decoder.singleValueContainer().decode(JSONValue.self).jsonText
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        guard let value = JSONValue(parsing: text) else {
            throw EncodingError.invalidValue(text, .init(codingPath: encoder.codingPath, debugDescription: "not JSON"))
        }
        try container.encode(value)
    }
}
