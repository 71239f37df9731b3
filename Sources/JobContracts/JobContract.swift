public import VelocityTypes

/// A job kind, its payload type and its result type, declared once and imported by everyone
/// who touches the job: the gateway decodes a submit's payload with it (a mismatch is a 422
/// naming the field), the producer refuses what does not decode, and the worker receives the
/// decoded `Payload` and returns a `Result`.
///
///     enum Thumbnail: JobContract {
///         static let kind = JobKind(name: "media.thumbnail", queue: "cpu")
///         struct Payload: Codable, Sendable { var blob: String; var size: Int }
///         struct Result: Codable, Sendable { var blob: String }
///         static func validate(_ payload: Payload) throws(PayloadError) {
///             guard payload.size > 0 else { throw PayloadError(field: "size", "must be positive") }
///         }
///     }
public protocol JobContract: Sendable {
    associatedtype Payload: Codable & Sendable
    associatedtype Result: Codable & Sendable

    static var kind: JobKind { get }

    /// Rules a payload's type cannot say (non-empty strings, allowed values); the default
    /// accepts every payload that decodes.
    static func validate(_ payload: Payload) throws(PayloadError)

    /// What a worker must hold to run the job cheaply (`JobSubmission.affinity`: a render's
    /// workflow, whose models a GPU may have loaded); the default is nil, none.
    static func affinity(of payload: Payload) -> String?
}

extension JobContract {
    public static func validate(_ payload: Payload) throws(PayloadError) {}

    public static func affinity(of payload: Payload) -> String? { nil }

    /// The payload of `value` (already parsed), decoded and validated.
    public static func payload(from value: JSONValue) throws(PayloadError) -> Payload {
        let payload: Payload
        do {
            payload = try JSONValueDecoder.decode(Payload.self, from: value)
        } catch {
            throw PayloadError(kind: kind.name, decoding: error)
        }
        try validate(payload)
        return payload
    }

    /// The payload of a stored job's JSON text, decoded and validated: a worker's one decode.
    public static func payload(fromJSON text: String) throws(PayloadError) -> Payload {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: text.utf8)
        } catch {
            throw PayloadError(kind: kind.name, field: nil, "is not JSON")
        }
        return try payload(from: value)
    }
}
