import CurlClient
import Foundation

extension OpenAIClient {
    /// `POST /v1/chat/completions` with `"stream": true` (set here): the chunks as the server
    /// sends them, ending at `data: [DONE]`. Retries (per the policy) only until the response
    /// head arrives; a stream that breaks midway throws. An error event in the stream (SGLang
    /// and vLLM send `data: {"error": …}`) throws with the server's message.
    public func streamChatCompletion(
        _ body: [UInt8], includeUsage: Bool = true, retry: RequestRetryPolicy? = nil,
        onEvent: (@Sendable (Event) -> Void)? = nil
    ) async throws -> AsyncThrowingStream<ChatCompletionChunk, any Error> {
        let request = try Self.streamingBody(body, includeUsage: includeUsage)
        let policy = retry ?? configuration.retry
        var attempt = 1
        while true {
            do {
                let events = try await openStream(request)
                return Self.chunks(of: events)
            } catch var error as OpenAIClientError {
                error.attempts = attempt
                guard error.isRetriable, attempt < policy.maxAttempts else { throw error }
                let delay = policy.delay(afterAttempt: attempt, retryAfter: error.retryAfter, unit: Double.random(in: 0..<1))
                onEvent?(.retrying(error, attempt: attempt, delay: delay))
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// The streamed answer gathered into one chat completion's content, finish reason and usage.
    public func collect(_ chunks: AsyncThrowingStream<ChatCompletionChunk, any Error>) async throws -> StreamedCompletion {
        var result = StreamedCompletion()
        for try await chunk in chunks {
            result.chunks += 1
            result.id = chunk.id
            result.model = chunk.model
            if let usage = chunk.usage { result.usage = usage }
            for choice in chunk.choices where choice.index == 0 {
                if let role = choice.delta.role { result.role = role }
                if let content = choice.delta.content { result.content += content }
                if let finish = choice.finish_reason { result.finishReason = finish }
            }
        }
        return result
    }

    func openStream(_ body: [UInt8]) async throws -> HTTPClientEventStream {
        var request = HTTPClientRequest.bytes(
            "POST", url("/v1/chat/completions"), body, contentType: "application/json", headers: headers)
        request.headers.replaceOrAdd("Accept", "text/event-stream")
        request.connectTimeoutMilliseconds = 10_000
        let stream: HTTPClientEventStream
        do {
            stream = try await http.events(request)
        } catch let error as CurlClientError {
            guard let classified = OpenAIClientError.from(error) else { throw CancellationError() }
            throw classified
        }
        guard stream.head.isSuccess else {
            var bytes: [UInt8] = []
            for try await chunk in stream.body where bytes.count < 65_536 { bytes += chunk }
            throw OpenAIClientError.from(status: stream.head.status, headers: stream.head.headers, body: bytes)
        }
        return stream
    }

    static func chunks(of stream: HTTPClientEventStream) -> AsyncThrowingStream<ChatCompletionChunk, any Error> {
        let events = stream.events
        return AsyncThrowingStream { continuation in
            let reader = Task {
                do {
                    for try await event in events {
                        if event.data == "[DONE]" { break }
                        let data = Data(event.data.utf8)
                        if let chunk = try? JSONDecoder().decode(ChatCompletionChunk.self, from: data) {
                            continuation.yield(chunk)
                            continue
                        }
                        let (message, type, code) = OpenAIClientError.parse(Array(data))
                        if type == "exceed_context_size_error" {
                            throw OpenAIClientError.contextExceeded(status: code, body: Array(data), message: message ?? event.data)
                        }
                        throw OpenAIClientError(
                            kind: OpenAIClientError.saysInvalidRequest(type: type, code: code) ? .invalidRequest : .serverError,
                            status: code, message: message ?? "unexpected stream event: \(event.data.prefix(200))", type: type)
                    }
                    continuation.finish()
                } catch let error as CurlClientError {
                    continuation.finish(throwing: OpenAIClientError.from(error) ?? CancellationError())
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in reader.cancel() }
        }
    }

    /// `body` with `"stream": true` and, if asked, `"stream_options": {"include_usage": true}`.
    static func streamingBody(_ body: [UInt8], includeUsage: Bool) throws -> [UInt8] {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] else {
            throw OpenAIClientError(kind: .invalidRequest, message: "the request body must be a JSON object")
        }
        object["stream"] = true
        if includeUsage {
            var options = object["stream_options"] as? [String: Any] ?? [:]
            options["include_usage"] = true
            object["stream_options"] = options
        }
        return [UInt8](try JSONSerialization.data(withJSONObject: object))
    }
}

/// A streamed answer, gathered.
public struct StreamedCompletion: Sendable, Equatable {
    public var id = ""
    public var model = ""
    public var role: String?
    public var content = ""
    public var finishReason: String?
    public var usage: Usage?
    /// Chunks received (the usage chunk included).
    public var chunks = 0
}
