import CurlClient
import HTTPTypes
import Hummingbird
import HummingbirdTesting

/// A one-shot signal between a test and a route handler: `wait` returns once `signal` was called.
final class Gate: Sendable {
    private let stream: AsyncStream<Void>
    private let continuation: AsyncStream<Void>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream() }

    func signal() { continuation.finish() }

    func wait() async {
        for await _ in stream {}
    }
}

/// A real Hummingbird server on loopback, with routes that exercise the client.
enum LoopbackServer {
    static let bigBody = (0..<1_000_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }

    /// Runs `body` with the server's base URL (`http://localhost:<port>`) and a fresh client.
    static func run(
        configuration: CurlHTTPClient.Configuration = .init(), routes: (Router<BasicRequestContext>) -> Void = { _ in },
        _ body: @Sendable (String, CurlHTTPClient) async throws -> Void
    ) async throws {
        let router = Router()
        addStandardRoutes(router)
        routes(router)
        let app = Application(router: router)
        try await app.test(.live) { client in
            let base = "http://localhost:\(client.port!)"
            try await CurlHTTPClient.withClient(configuration: configuration) { curl in
                try await body(base, curl)
            }
        }
    }

    private static func addStandardRoutes(_ router: Router<BasicRequestContext>) {
        // Echoes method, body and content type; repeats `X-Test` as `X-Echo`; two `X-Multi` values.
        router.on("/echo", method: .post, use: echo)
        router.on("/echo", method: .put, use: echo)
        router.on("/echo", method: .get, use: echo)
        router.on("/echo", method: .delete, use: echo)
        router.get("/status/{code}") { _, context -> Response in
            let code = try context.parameters.require("code", as: Int.self)
            return Response(
                status: .init(code: code), headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: "status \(code)")))
        }
        // Content-Length known up front.
        router.get("/big") { _, _ -> Response in
            Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: bigBody)))
        }
        // Chunked: the size shows only as it arrives.
        router.get("/big-chunked") { _, _ -> Response in
            Response(
                status: .ok,
                body: ResponseBody { writer in
                    for start in stride(from: 0, to: bigBody.count, by: 100_000) {
                        try await writer.write(ByteBuffer(bytes: bigBody[start..<min(start + 100_000, bigBody.count)]))
                    }
                    try await writer.finish(nil)
                })
        }
        // Collects a request body (multipart) and sends it back with its content type.
        router.post("/upload") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 50_000_000)
            return Response(
                status: .ok, headers: [.contentType: request.headers[.contentType] ?? "none"],
                body: .init(byteBuffer: body))
        }
    }

    @Sendable static func echo(_ request: Request, context: BasicRequestContext) async throws -> Response {
        let body = try await request.body.collect(upTo: 10_000_000)
        var headers: HTTPFields = [
            .contentType: request.headers[.contentType] ?? "none",
            HTTPField.Name("X-Method")!: request.method.rawValue,
            HTTPField.Name("X-Echo")!: request.headers[HTTPField.Name("X-Test")!] ?? "",
        ]
        headers.append(HTTPField(name: HTTPField.Name("X-Multi")!, value: "one"))
        headers.append(HTTPField(name: HTTPField.Name("X-Multi")!, value: "two"))
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
