public import CurlClient
public import Foundation
public import VelocityTypes

/// A chat completion that did not succeed, classified for retrying.
public struct OpenAIClientError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The server refused the request itself (400, 422, and 500s that say so): not retried.
        case invalidRequest = "invalid_request"
        /// 401 or 403: not retried.
        case unauthorized
        /// 404: an unknown model or route: not retried.
        case notFound = "not_found"
        /// 413 and the like: not retried.
        case rejected
        /// The prompt does not fit the server's context (llama.cpp's 400
        /// `exceed_context_size_error`, which names `n_prompt_tokens` and `n_ctx`): not retried,
        /// the same prompt never fits.
        case contextLengthExceeded = "context_length_exceeded"
        /// 503 "Loading model" (llama.cpp's `unavailable_error` while it loads): the server is
        /// up but not ready; wait for it, it is neither overloaded nor broken.
        case loading = "server_loading"
        /// 429: retried after `Retry-After` or backoff; also a sign to send less.
        case rateLimited = "rate_limited"
        /// 503 (and 502/504): the server is overloaded or not ready; retried, send less.
        case unavailable
        /// Any other 5xx: retried.
        case serverError = "server_error"
        /// No complete answer within the timeout: retried, send less.
        case timeout
        /// No connection, or it broke: retried; the server may be down.
        case connection
        /// A 2xx whose body is not a chat completion: retried.
        case invalidResponse = "invalid_response"
    }

    public var kind: Kind
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The server's own message when it sent one.
    public var message: String
    /// The server's error `type`, when it sent one.
    public var type: String?
    public var retryAfter: Duration?
    /// How many attempts were made before giving up.
    public var attempts: Int = 1
    /// The prompt's size in tokens, when the server said (`n_prompt_tokens`).
    public var promptTokens: Int?
    /// The context the prompt had to fit, in tokens, when the server said (`n_ctx`).
    public var contextTokens: Int?
    /// The error body as the server sent it (JSON, or text made a JSON string), for whoever
    /// reports the request's answer: a batch's error file shows it as OpenAI's does.
    public var body: JSONValue?

    /// `{"status_code", "body"}`: the server's answer, when there was one.
    public var response: JSONValue? {
        guard let status, let body else { return nil }
        return .object(["status_code": .int(Int64(status)), "body": body])
    }

    /// The most of an error body kept: enough for any server's error object.
    static let maxBodyBytes = 16 * 1024

    static func bodyValue(_ bytes: [UInt8]) -> JSONValue? {
        guard !bytes.isEmpty else { return nil }
        let kept = bytes.prefix(maxBodyBytes)
        if kept.count == bytes.count, let json = try? JSONValue(parsing: kept) { return json }
        return .string(String(decoding: kept, as: UTF8.self))
    }

    public init(kind: Kind, status: Int? = nil, message: String, type: String? = nil, retryAfter: Duration? = nil) {
        self.kind = kind
        self.status = status
        self.message = message
        self.type = type
        self.retryAfter = retryAfter
    }

    /// The stable code of the failure (the kind's raw value), for jobs and logs to match on.
    public var code: String { kind.rawValue }

    /// Worth another attempt.
    public var isRetriable: Bool {
        switch kind {
        case .rateLimited, .unavailable, .loading, .serverError, .timeout, .connection, .invalidResponse: return true
        case .invalidRequest, .unauthorized, .notFound, .rejected, .contextLengthExceeded: return false
        }
    }

    /// A sign the server has more than it can take (the dispatcher sends less).
    public var isOverload: Bool { kind == .rateLimited || kind == .unavailable || kind == .timeout }

    public var description: String {
        var text = "\(kind.rawValue)"
        if let status { text += " (HTTP \(status))" }
        return text + ": \(message)"
    }

    /// Classifies an HTTP error answer. The body may be OpenAI's `{"error": {...}}`, the flat
    /// `{"object": "error", "message", "type", "code"}` of SGLang and vLLM, llama.cpp's
    /// `{"error": {"code", "message", "type"}}`, or text.
    public static func from(status: Int, headers: HTTPClientHeaders, body: [UInt8], now: Date = Date()) -> OpenAIClientError {
        let (message, type, bodyCode) = parse(body)
        // A server's empty message says nothing: the job's error then names the status or the body.
        let said = message.flatMap { $0.isEmpty ? nil : $0 }
        let text = said ?? (body.isEmpty ? "HTTP \(status)" : String(decoding: body.prefix(500), as: UTF8.self))
        let retryAfter = headers["Retry-After"].flatMap { parseRetryAfter($0, now: now) }
        if type == "exceed_context_size_error" {
            var classified = contextExceeded(status: status, body: body, message: text)
            classified.body = bodyValue(body)
            return classified
        }
        if status == 503 && type == "unavailable_error" && text == "Loading model" {
            return OpenAIClientError(kind: .loading, status: status, message: text, type: type, retryAfter: retryAfter)
        }
        let kind: Kind
        switch status {
        case 400, 422: kind = .invalidRequest
        case 401, 403: kind = .unauthorized
        case 404: kind = .notFound
        case 408: kind = .timeout
        case 429: kind = .rateLimited
        case 502, 503, 504: kind = .unavailable
        case 500..<600:
            // Some servers (llama.cpp, llama-cpp-python, older vLLM) answer validation errors with
            // 500; their body still says so.
            kind = saysInvalidRequest(type: type, code: bodyCode) ? .invalidRequest : .serverError
        default: kind = .rejected
        }
        var classified = OpenAIClientError(kind: kind, status: status, message: text, type: type, retryAfter: retryAfter)
        classified.body = bodyValue(body)
        return classified
    }

    /// llama.cpp's `exceed_context_size_error`
    /// (`{"error":{"code":400,"message","type","n_prompt_tokens","n_ctx"}}`), its message made to
    /// name both sizes.
    static func contextExceeded(status: Int?, body: [UInt8], message: String) -> OpenAIClientError {
        let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any]
        let error = object?["error"] as? [String: Any] ?? object ?? [:]
        let prompt = (error["n_prompt_tokens"] as? NSNumber)?.intValue
        let context = (error["n_ctx"] as? NSNumber)?.intValue
        var text = "the prompt does not fit the server's context"
        if let prompt, let context {
            text = "the prompt is \(prompt) tokens (n_prompt_tokens) and the server's context is \(context) (n_ctx)"
        }
        var classified = OpenAIClientError(
            kind: .contextLengthExceeded, status: status, message: text + ": " + message, type: "exceed_context_size_error")
        classified.promptTokens = prompt
        classified.contextTokens = context
        return classified
    }

    static func saysInvalidRequest(type: String?, code: Int?) -> Bool {
        if code == 400 || code == 422 { return true }
        guard let type = type?.lowercased() else { return false }
        return ["invalid_request_error", "badrequesterror", "bad request", "bad_request", "validationerror", "invalid_request"]
            .contains(type)
    }

    /// The message, type and numeric code of an error body, in any of the shapes servers use.
    static func parse(_ body: [UInt8]) -> (String?, String?, Int?) {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            return (nil, nil, nil)
        }
        let error = object["error"] as? [String: Any] ?? object
        let message = error["message"] as? String ?? object["error"] as? String ?? object["detail"] as? String
        let code = (error["code"] as? NSNumber)?.intValue ?? (error["code"] as? String).flatMap { Int($0) }
        return (message, error["type"] as? String, code)
    }

    /// `Retry-After` as delta-seconds or an HTTP date, at most `maxRetryAfter` (a server's
    /// "1e300" or "inf" is a day, not a trap converting it).
    static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        let cap = Double(maxRetryAfter.components.seconds)
        if let seconds = Double(trimmed), seconds >= 0 { return .milliseconds(Int64(min(seconds, cap) * 1_000)) }
        // An HTTP date is ASCII, and Foundation's DateFormatter traps on some other text
        // ("Incorrect range CFRange", found by fuzzing): what is not ASCII is no date.
        guard trimmed.utf8.count <= 64, trimmed.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return .milliseconds(Int64(min(max(0, date.timeIntervalSince(now)), cap) * 1_000))
    }

    /// The longest `Retry-After` taken from a server.
    public static let maxRetryAfter = Duration.seconds(86_400)

    /// Classifies a failed transfer; nil for a cancellation (the caller's task ended).
    static func from(_ error: CurlClientError) -> OpenAIClientError? {
        switch error.code {
        case .cancelled: return nil
        case .timeout: return OpenAIClientError(kind: .timeout, message: error.message)
        case .connectionRefused, .network, .hostNotFound:
            return OpenAIClientError(kind: .connection, message: error.description)
        case .responseTooLarge: return OpenAIClientError(kind: .invalidResponse, message: error.message)
        default: return OpenAIClientError(kind: .rejected, message: error.description)
        }
    }
}
