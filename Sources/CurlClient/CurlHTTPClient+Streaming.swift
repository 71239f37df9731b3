import Synchronization

/// A response whose body arrives while the caller reads it.
public struct HTTPClientStreamingResponse: Sendable {
    public var head: HTTPClientResponseHead
    /// The body in the chunks libcurl delivered them; ends when the response does, throws
    /// `CurlClientError` when the transfer fails midway. Stopping the iteration (or dropping
    /// the sequence) aborts the transfer.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    public var status: Int { head.status }
    public var headers: HTTPClientHeaders { head.headers }

    /// The whole rest of the body, up to `limit` bytes.
    public func collect(upTo limit: Int) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in body {
            bytes += chunk
            if bytes.count > limit {
                throw CurlClientError(.responseTooLarge, "the response is larger than \(limit) bytes")
            }
        }
        return bytes
    }
}

extension CurlHTTPClient {
    /// Sends `request` and returns as soon as the response's status and headers are in, with
    /// the body to read as it arrives (Server-Sent Events, long polls, big bodies).
    ///
    /// Unless the request sets them, a stream has no total timeout and no size limit: it lasts
    /// as long as the server keeps it open. Chunks wait in memory until read.
    public func stream(_ request: HTTPClientRequest) async throws -> HTTPClientStreamingResponse {
        var request = request
        request.timeoutMilliseconds = request.timeoutMilliseconds ?? 0
        request.maxResponseBytes = request.maxResponseBytes ?? Int.max
        let (body, continuation) = AsyncThrowingStream<[UInt8], any Error>.makeStream()
        let head = OneShot<HTTPClientResponseHead>()
        let transfer = makeTransfer(request, sink: .stream(continuation), head: { head.resolve(.success($0)) })
        continuation.onTermination = { termination in
            if case .cancelled = termination { transfer.abort() }
        }
        start(transfer) { result in
            switch result {
            case .success: continuation.finish()
            case .failure(let error):
                head.resolve(.failure(error))
                continuation.finish(throwing: error)
            }
        }
        let received = try await withTaskCancellationHandler {
            try await head.value()
        } onCancel: {
            transfer.abort()
        }
        return HTTPClientStreamingResponse(head: received, body: body)
    }

    /// Sends `request` (with `Accept: text/event-stream`) and parses the body as Server-Sent
    /// Events. Check `head.status` before reading `events`: an error response's body is
    /// usually not an event stream.
    public func events(_ request: HTTPClientRequest) async throws -> HTTPClientEventStream {
        var request = request
        if !request.headers.contains("Accept") { request.headers.add("Accept", "text/event-stream") }
        let response = try await stream(request)
        return HTTPClientEventStream(head: response.head, body: response.body)
    }
}

/// A response read as Server-Sent Events.
public struct HTTPClientEventStream: Sendable {
    public var head: HTTPClientResponseHead
    /// The raw body, for reading an error response instead of events.
    public var body: AsyncThrowingStream<[UInt8], any Error>

    /// The events, in order; ends with the response.
    public var events: ServerSentEventSequence<AsyncThrowingStream<[UInt8], any Error>> {
        ServerSentEventSequence(body)
    }
}

/// A value delivered once from one thread, awaited from another.
final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case empty
        case waiting(CheckedContinuation<Value, any Error>)
        case done(Result<Value, any Error>)
    }

    private let state = Mutex(State.empty)

    /// The first call wins; later ones are ignored.
    func resolve(_ result: Result<Value, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Value, any Error>? in
            switch state {
            case .empty:
                state = .done(result)
                return nil
            case .waiting(let continuation):
                state = .done(result)
                return continuation
            case .done:
                return nil
            }
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let ready = state.withLock { state -> Result<Value, any Error>? in
                switch state {
                case .empty:
                    state = .waiting(continuation)
                    return nil
                case .done(let result):
                    return result
                case .waiting:
                    preconditionFailure("OneShot awaited twice")
                }
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}
