import CurlClient
import Foundation

/// The gateway's HTTP API as the command line uses it, over `CurlHTTPClient`.
///
/// Non-2xx responses become `GatewayClientError`s carrying the gateway's error code and message.
struct GatewayClient: Sendable {
    let http: CurlHTTPClient
    let baseURL: String
    let apiKey: String?

    /// `path` on the gateway; an absolute URL (a `status_url` the gateway handed out) as is.
    func url(_ path: String) -> String {
        path.hasPrefix("http://") || path.hasPrefix("https://") ? path : baseURL + (path.hasPrefix("/") ? "" : "/") + path
    }

    func request(_ method: String, _ path: String, headers: HTTPClientHeaders = [:]) -> HTTPClientRequest {
        var request = HTTPClientRequest(method: method, url: url(path), headers: headers)
        if let apiKey, !request.headers.contains("Authorization") {
            request.headers.add("Authorization", "Bearer \(apiKey)")
        }
        return request
    }

    /// `GET path`, answered with 2xx, or thrown.
    func get(_ path: String, accepting extra: Set<Int> = []) async throws -> HTTPClientResponse {
        try Self.checked(try await http.execute(request("GET", path)), accepting: extra)
    }

    /// `method path` with a JSON body.
    func send(_ method: String, _ path: String, json: String?, headers: HTTPClientHeaders = [:]) async throws
        -> HTTPClientResponse
    {
        var request = request(method, path, headers: headers)
        if let json {
            request.headers.replaceOrAdd("Content-Type", "application/json")
            request.body = .bytes(Array(json.utf8))
        }
        return try Self.checked(try await http.execute(request))
    }

    /// `POST path` as multipart/form-data, files streamed from disk.
    func upload(_ path: String, form: MultipartForm, idempotencyKey: String = "") async throws -> HTTPClientResponse {
        var request = request("POST", path)
        if !idempotencyKey.isEmpty { request.headers.replaceOrAdd("Idempotency-Key", idempotencyKey) }
        // Uploads of big files may take longer than the default minute.
        request.timeoutMilliseconds = 0
        return try Self.checked(try await http.upload(request, form: form))
    }

    /// `GET path` written to `file`.
    func download(_ path: String, to file: String) async throws {
        var request = request("GET", path)
        request.timeoutMilliseconds = 0
        _ = try Self.checked(try await http.download(request, to: file))
    }

    /// `GET path` as Server-Sent Events.
    func events(_ path: String) async throws -> HTTPClientEventStream {
        let stream = try await http.events(request("GET", path))
        if !stream.head.isSuccess {
            var body: [UInt8] = []
            for try await chunk in stream.body where body.count < 1 << 20 { body += chunk }
            throw Self.error(status: stream.head.status, body: body)
        }
        return stream
    }

    static func checked(_ response: HTTPClientResponse, accepting extra: Set<Int> = []) throws -> HTTPClientResponse {
        guard response.isSuccess || extra.contains(response.status) else {
            throw error(status: response.status, body: response.body)
        }
        return response
    }

    /// The gateway's error envelope, or the status and text when the body is not one.
    static func error(status: Int, body: [UInt8]) -> GatewayClientError {
        struct Envelope: Decodable {
            struct Body: Decodable {
                var code: String
                var message: String?
                var details: [String: JSONScalar]?
            }
            var error: Body
        }
        if let envelope = try? JSONDecoder().decode(Envelope.self, from: Data(body)) {
            return GatewayClientError(
                status: status, code: envelope.error.code, message: envelope.error.message ?? "",
                details: (envelope.error.details ?? [:]).mapValues(\.text))
        }
        let text = String(decoding: body.prefix(500), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return GatewayClientError(status: status, code: "http_\(status)", message: text.isEmpty ? "HTTP \(status)" : text)
    }

    /// Decodes a 2xx body, naming the type when it does not fit.
    static func decode<T: Decodable>(_ type: T.Type, _ response: HTTPClientResponse) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(response.body))
        } catch {
            throw GatewayClientError(
                status: response.status, code: "unexpected_response",
                message: "the gateway's answer is not a \(T.self): \(String(decoding: response.body.prefix(300), as: UTF8.self))")
        }
    }
}

/// A JSON string, number or boolean in error details, shown as text.
struct JSONScalar: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let int = try? container.decode(Int.self) {
            text = String(int)
        } else if let double = try? container.decode(Double.self) {
            text = String(double)
        } else if let bool = try? container.decode(Bool.self) {
            text = String(bool)
        } else {
            text = "…"
        }
    }
}
