import Foundation
import Hummingbird
import NIOCore

/// An error answer in the shape the emulated server uses.
struct EmulatorError: Error {
    var status: Int
    var message: String
    /// OpenAI's `type` (`invalid_request_error`…).
    var openAIType: String
    /// SGLang's and vLLM's `type`: the exception's class name (`BadRequestError`…).
    var sglangType: String
    /// llama.cpp's `type` (`invalid_request_error`, `exceed_context_size_error`…).
    var llamaType: String
    var param: String?
    var retryAfterSeconds: Int?
    /// llama.cpp's `n_prompt_tokens` and `n_ctx`, beside the message of an
    /// `exceed_context_size_error`.
    var contextSize: (promptTokens: Int, nCtx: Int)?

    static func badRequest(_ message: String, param: String? = nil) -> EmulatorError {
        EmulatorError(
            status: 400, message: message, openAIType: "invalid_request_error", sglangType: "BadRequestError",
            llamaType: "invalid_request_error", param: param)
    }

    static func modelNotFound(_ model: String) -> EmulatorError {
        EmulatorError(
            status: 404, message: "The model `\(model)` does not exist.", openAIType: "invalid_request_error",
            sglangType: "NotFoundError", llamaType: "not_found_error", param: "model")
    }

    /// llama.cpp's refusal of a prompt that fills the slot's context
    /// (`tools/server/server-context.cpp`: `slot.task->n_tokens() >= slot.n_ctx`).
    static func exceedsContext(promptTokens: Int, nCtx: Int) -> EmulatorError {
        EmulatorError(
            status: 400,
            message: "request (\(promptTokens) tokens) exceeds the available context size (\(nCtx) tokens), try increasing it",
            openAIType: "invalid_request_error", sglangType: "BadRequestError", llamaType: "exceed_context_size_error",
            contextSize: (promptTokens, nCtx))
    }

    /// llama.cpp while it loads the model (`server.cpp`, `middleware_server_state`).
    static let loadingModel = EmulatorError(
        status: 503, message: "Loading model", openAIType: "server_error", sglangType: "ServiceUnavailable",
        llamaType: "unavailable_error")

    /// llama.cpp's answer to a body that is not JSON: nlohmann's parse exception, reported by the
    /// server's exception handler as a 500 `server_error`.
    static func unparsable(_ body: [UInt8]) -> EmulatorError {
        let last = body.first.map { String(decoding: [$0], as: UTF8.self) } ?? ""
        return EmulatorError(
            status: 500,
            message: "[json.exception.parse_error.101] parse error at line 1, column 1: syntax error while parsing value - invalid literal; last read: '\(last)'",
            openAIType: "server_error", sglangType: "InternalServerError", llamaType: "server_error")
    }

    /// An injected failure with `status`.
    static func injected(_ status: Int, retryAfterSeconds: Int?) -> EmulatorError {
        let phrase = HTTPResponse.Status(code: status).reasonPhrase
        let openAIType: String
        let llamaType: String
        switch status {
        case 429:
            openAIType = "rate_limit_exceeded"
            llamaType = "unavailable_error"
        case 503:
            openAIType = "server_error"
            llamaType = "unavailable_error"
        case 400..<500:
            openAIType = "invalid_request_error"
            llamaType = "invalid_request_error"
        default:
            openAIType = "server_error"
            llamaType = "server_error"
        }
        return EmulatorError(
            status: status, message: "injected fault: \(phrase)", openAIType: openAIType,
            sglangType: phrase.replacingOccurrences(of: " ", with: ""), llamaType: llamaType,
            retryAfterSeconds: retryAfterSeconds)
    }

    /// The body in `style`.
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
        case .vllm:
            // vllm/entrypoints/openai/protocol.py: ErrorResponse{error: ErrorInfo{message, type,
            // param, code}}, `code` the HTTP status.
            return [
                "error": ["message": message, "type": sglangType, "param": param ?? NSNull(), "code": status] as [String: Any]
            ]
        case .llamacpp:
            // tools/server/utils.hpp format_error_response: {code, message, type}, plus
            // n_prompt_tokens and n_ctx for exceed_context_size_error.
            var error: [String: Any] = ["code": status, "message": message, "type": llamaType]
            if let contextSize {
                error["n_prompt_tokens"] = contextSize.promptTokens
                error["n_ctx"] = contextSize.nCtx
            }
            return ["error": error]
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
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes, .sortedKeys])) ?? Data("{}".utf8)
        return [UInt8](data)
    }

    static func response(_ object: Any, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes(object))))
    }
}
