public import VelocityTypes

/// A job payload that does not fit its kind: the gateway answers it with a 422 naming the
/// field, a worker fails the job with it (`invalid_payload`, not retried).
public struct PayloadError: RetriableError, Equatable {
    public var code: VelocityErrorCode { .invalidPayload }
    /// The kind whose payload it is, when known.
    public var kind: String?
    /// The field at fault as a path (`image.format`, `messages.0.role`); nil for the whole payload.
    public var field: String?
    /// What is wrong with it, without the field's name.
    public var reason: String
    public var retriable: Bool { false }

    public init(kind: String? = nil, field: String?, _ reason: String) {
        self.kind = kind
        self.field = field
        self.reason = reason
    }

    /// `payload.<field>: <reason>`, as submit refusals word a field.
    public var message: String { "\(fieldPath): \(reason)" }

    /// The field's path from the top of a submit's body.
    public var fieldPath: String { field.map { "payload.\($0)" } ?? "payload" }

    public static func == (lhs: PayloadError, rhs: PayloadError) -> Bool {
        lhs.kind == rhs.kind && lhs.field == rhs.field && lhs.reason == rhs.reason
    }

    /// The field and reason a `DecodingError` names.
    init(kind: String, decoding error: any Error) {
        func path(_ keys: [any CodingKey]) -> String? {
            keys.isEmpty ? nil : keys.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case DecodingError.keyNotFound(let key, let context):
            self.init(kind: kind, field: path(context.codingPath + [key]), "is required")
        case DecodingError.valueNotFound(let type, let context):
            self.init(kind: kind, field: path(context.codingPath), "must be \(Self.name(of: type)), not null")
        case DecodingError.typeMismatch(let type, let context):
            self.init(kind: kind, field: path(context.codingPath), "must be \(Self.name(of: type))")
        case DecodingError.dataCorrupted(let context):
            self.init(kind: kind, field: path(context.codingPath), context.debugDescription)
        default:
            self.init(kind: kind, field: nil, "does not decode: \(error)")
        }
    }

    /// JSON's name for a Swift type, with its article, for messages.
    static func name(of type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Bool.Type: "a boolean"
        case is Double.Type, is Float.Type: "a number"
        case is any FixedWidthInteger.Type: "an integer"
        case is [JSONValue].Type: "an array"
        case is [String: JSONValue].Type: "a JSON object"
        default: "a \(type)"
        }
    }
}

extension VelocityErrorCode {
    /// The job's payload does not fit its kind's payload type.
    public static let invalidPayload: Self = "invalid_payload"
}
