public import Broker
public import Foundation
public import HTTPTypes
public import Hummingbird
import NIOCore

/// An error the gateway answers with: a status, a stable code, a message a person can act on,
/// and details a program can (the field at fault, the limit exceeded).
///
/// Every 4xx and 5xx leaves as `{"error": {"code", "message", "details"}}`.
public struct GatewayError: HTTPResponseError, VelocityError {
    public var status: HTTPResponse.Status
    public var code: VelocityErrorCode
    public var message: String
    public var details: [String: String]
    /// Extra response headers (`Retry-After`, `WWW-Authenticate`).
    public var headers: HTTPFields
    public var cause: (any Error & Sendable)?

    public init(
        _ status: HTTPResponse.Status, _ code: VelocityErrorCode, _ message: String, details: [String: String] = [:],
        headers: HTTPFields = [:], cause: (any Error & Sendable)? = nil
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
        self.cause = cause
    }

    public var description: String {
        var text = "\(status.code) \(code): \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(data: jsonBody)))
    }

    /// `{"error": {"code", "message", "details"}}`, with keys in a stable order.
    public var jsonBody: Data {
        struct Envelope: Encodable {
            struct Body: Encodable {
                let code: String
                let message: String
                let details: [String: String]
            }
            let error: Body
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let envelope = Envelope(error: .init(code: code.rawValue, message: message, details: details))
        return (try? encoder.encode(envelope)) ?? Data(#"{"error":{"code":"internal","message":"","details":{}}}"#.utf8)
    }
}

extension VelocityErrorCode {
    public static let malformedJSON: Self = "malformed_json"
    public static let invalidRequest: Self = "invalid_request"
    public static let notFound: Self = "not_found"
    public static let methodNotAllowed: Self = "method_not_allowed"
    public static let unauthenticated: Self = "unauthenticated"
    public static let forbidden: Self = "forbidden"
    public static let rateLimited: Self = "rate_limited"
    public static let bodyTooLarge: Self = "body_too_large"
    public static let conflict: Self = "conflict"
    public static let notReady: Self = "not_ready"
    public static let unavailable: Self = "unavailable"
    public static let internalError: Self = "internal"
}

extension GatewayError {
    public static func notFound(_ what: String) -> GatewayError {
        GatewayError(.notFound, .notFound, "\(what) not found")
    }

    /// A schema error: the request parsed but a field is missing, of the wrong type, or out of range.
    public static func invalid(field: String, _ message: String) -> GatewayError {
        GatewayError(.unprocessableContent, .invalidRequest, "\(field): \(message)", details: ["field": field])
    }

    /// U+0000 in `field` (a path, a query parameter, JSON text): no id or name has one, and
    /// neither PostgreSQL text nor a file name can hold it.
    public static func nulText(field: String) -> GatewayError {
        invalid(field: field, "may not contain U+0000 (%00 in a URL, \\u0000 in JSON): nothing can store it")
    }

    public static func malformedJSON(_ message: String) -> GatewayError {
        GatewayError(.badRequest, .malformedJSON, "request body is not valid JSON: \(message)")
    }
}
