/// One way an instance breaks its schema, worded so that it can be handed back to whoever
/// produced the instance (a language model included) as is.
public struct ValidationFailure: Sendable, Hashable, CustomStringConvertible {
    /// JSON pointer to the failing value in the instance (`/items/2/name`), `""` for the
    /// instance itself.
    public let instancePath: String
    /// The keyword that failed (`maximum`, `required`, `anyOf`, ...), or `false` for a boolean
    /// schema `false`.
    public let keyword: String
    /// JSON pointer to that keyword in the schema document, after following any `$ref`
    /// (`/$defs/item/properties/name/type`).
    public let schemaPath: String
    /// What is wrong, without the location: `140 is greater than the maximum 100`.
    public let reason: String

    init(instancePath: String, keyword: String, schemaPath: String, reason: String) {
        self.instancePath = instancePath
        self.keyword = keyword
        self.schemaPath = schemaPath
        self.reason = reason
    }

    /// The location and the reason on one line: `/score: 140 is greater than the maximum 100`;
    /// the instance itself shows as `/` (`/: missing required property "confidence"`).
    public var message: String { "\(instancePath.isEmpty ? "/" : instancePath): \(reason)" }

    public var description: String { message }
}
