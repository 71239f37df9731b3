import Hummingbird
import NIOCore

/// The responses aiohttp produces for ComfyUI's handlers.
enum ComfyUIResponses {
    /// `web.json_response(data, status=…)`.
    static func json(_ value: ComfyJSON, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: value.serialized)))
    }

    /// `web.Response(status=…)`: no body.
    static func empty(_ status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/octet-stream", .contentLength: "0"])
    }

    /// An exception escaping a handler: aiohttp's plain-text 500.
    static func internalError() -> Response {
        text("500 Internal Server Error\n\nServer got itself in trouble", status: .internalServerError)
    }

    /// A body past `client_max_size`: aiohttp's 413.
    static func tooLarge(limit: Int) -> Response {
        text("Maximum request body size \(limit) exceeded, actual body size \(limit + 1)", status: .contentTooLarge)
    }

    static func text(_ text: String, status: HTTPResponse.Status) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func bytes(_ bytes: [UInt8], contentType: String, filename: String) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: contentType, .contentDisposition: "filename=\"\(filename)\""],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// A handler failure answered as aiohttp answers an unhandled exception (HTTP 500).
struct ComfyUIHandlerException: Error {
    var reason: String
}
