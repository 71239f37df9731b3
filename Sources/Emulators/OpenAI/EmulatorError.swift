import Foundation
import Hummingbird
import NIOCore

/// An error answer in the shape the emulated server uses.
struct EmulatorError: Error {
    var status: Int
    var message: String
    /// OpenAI's `type` (`invalid_request_error`…); SGLang style uses its own names.
    var openAIType: String
    var sglangType: String
    var param: String?
    var retryAfterSeconds: Int?

    static func badRequest(_ message: String, param: String? = nil) -> EmulatorError {
        EmulatorError(
            status: 400, message: message, openAIType: "invalid_request_error", sglangType: "BadRequestError",
            param: param)
    }

    static func modelNotFound(_ model: String) -> EmulatorError {
        EmulatorError(
            status: 404, message: "The model `\(model)` does not exist.", openAIType: "invalid_request_error",
            sglangType: "NotFoundError", param: "model")
    }

    /// An injected failure with `status`.
    static func injected(_ status: Int, retryAfterSeconds: Int?) -> EmulatorError {
        let phrase = HTTPResponse.Status(code: status).reasonPhrase
        let openAIType: String
        switch status {
        case 429: openAIType = "rate_limit_exceeded"
        case 400..<500: openAIType = "invalid_request_error"
        default: openAIType = "server_error"
        }
        return EmulatorError(
            status: status, message: "injected fault: \(phrase)", openAIType: openAIType,
            sglangType: phrase.replacingOccurrences(of: " ", with: ""), retryAfterSeconds: retryAfterSeconds)
    }

    /// The body: SGLang's flat error object, or OpenAI's `{"error": {...}}`.
    func body(style: OpenAIEmulatorConfiguration.ErrorStyle) -> [String: Any] {
        switch style {
        case .sglang:
            return [
                "object": "error", "message": message, "type": sglangType, "param": param ?? NSNull(), "code": status,
            ]
        case .openai:
            return [
                "error": [
                    "message": message, "type": openAIType, "param": param ?? NSNull(),
                    "code": status == 404 ? "model_not_found" : NSNull(),
                ] as [String: Any]
            ]
        }
    }

    func response(style: OpenAIEmulatorConfiguration.ErrorStyle) -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { headers[.retryAfter] = String(retryAfterSeconds) }
        return Response(
            status: .init(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: JSONText.bytes(body(style: style)))))
    }
}

/// JSON encoding of Foundation property lists, for answers with `null`s and mixed values.
enum JSONText {
    static func bytes(_ object: Any) -> [UInt8] {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes])) ?? Data("{}".utf8)
        return [UInt8](data)
    }

    static func response(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes(object))))
    }
}
