public import CurlClient
import Foundation
import VelocityTypes

/// A client of one ComfyUI server (0.8.x API; every route also answers under `/api/`, the
/// bare paths are used so older builds work too).
///
/// HTTP goes through `CurlHTTPClient` (its own thread pool); the websocket is
/// `ComfyUIEventSocket`'s. ComfyUI is only an executor: the caller's job id is the prompt's
/// `prompt_id`, and `clientID` routes the prompt's websocket events to this client's socket
/// (ComfyUI sends them only to the socket whose `clientId` equals the prompt's `client_id`).
public struct ComfyUIClient: Sendable {
    public struct Configuration: Sendable {
        /// Limit of small requests (prompt, history, queue, interrupt): a server that takes
        /// longer is treated as not answering.
        public var requestTimeoutMilliseconds = 10_000
        /// Limit of image uploads and downloads.
        public var transferTimeoutMilliseconds = 120_000
        /// Extra tries of `POST /prompt` after a transport failure (the prompt may have landed).
        public var promptRetries = 2

        public init() {}
    }

    /// `http://host:port`, without a trailing slash.
    public let baseURL: String
    public let clientID: String
    public let configuration: Configuration
    let http: CurlHTTPClient

    /// - Parameters:
    ///   - baseURL: the server, e.g. `http://127.0.0.1:8188`.
    ///   - clientID: the websocket session id sent as every prompt's `client_id`.
    public init(baseURL: String, clientID: String, http: CurlHTTPClient, configuration: Configuration = Configuration()) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.clientID = clientID
        self.http = http
        self.configuration = configuration
    }

    /// The websocket URL of this server for this client id.
    public var webSocketURL: String {
        var url = baseURL
        if url.hasPrefix("https://") {
            url = "wss://" + url.dropFirst("https://".count)
        } else if url.hasPrefix("http://") {
            url = "ws://" + url.dropFirst("http://".count)
        }
        return url + "/ws?clientId=" + Self.percentEncoded(clientID)
    }

    /// Sends a request; transport failures become `comfyui_unreachable`.
    /// Within a traced job, the call is a span of its trace and carries its `traceparent`.
    func send(_ request: HTTPClientRequest, timeoutMilliseconds: Int? = nil) async throws -> HTTPClientResponse {
        var request = request
        request.timeoutMilliseconds = timeoutMilliseconds ?? configuration.requestTimeoutMilliseconds
        do {
            return try await http.execute(request, tracedAs: "comfyui")
        } catch let error as CurlClientError {
            if error.code == .cancelled, Task.isCancelled { throw CancellationError() }
            throw ComfyUIError(
                .comfyUIUnreachable, "\(request.method) \(request.url) failed: \(error.message)", retriable: true,
                cause: error)
        }
    }

    func get(_ path: String) async throws -> HTTPClientResponse {
        try await send(HTTPClientRequest(method: "GET", url: baseURL + path))
    }

    func postJSON(_ path: String, _ body: JSONValue) async throws -> HTTPClientResponse {
        try await send(.bytes("POST", baseURL + path, body.jsonBytes, contentType: "application/json"))
    }

    /// The body as JSON, for a 200; anything else is an error naming the route.
    func json(_ response: HTTPClientResponse, from route: String) throws -> JSONValue {
        guard response.status == 200 else { throw unexpected(response, from: route) }
        do {
            return try JSONValue(parsing: response.body)
        } catch {
            throw ComfyUIError(.comfyUIProtocolError, "\(route) answered something that is not JSON", retriable: true)
        }
    }

    func unexpected(_ response: HTTPClientResponse, from route: String) -> ComfyUIError {
        let text = String(decoding: response.body.prefix(300), as: UTF8.self)
        return ComfyUIError(
            .comfyUIProtocolError, "\(route) answered \(response.status): \(text)", retriable: true,
            httpStatus: response.status)
    }

    static func percentEncoded(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
