import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Synchronization

/// A webhook receiver on a loopback port: it records every request and answers from a script
/// (then 200 for the rest).
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        var headers: [String: String]
        var body: [UInt8]
    }

    struct Answer: Sendable {
        var status: HTTPResponse.Status
        var retryAfter: String? = nil
    }

    private let state: Mutex<(received: [Received], script: [Answer])>

    init(script: [Answer] = []) {
        state = Mutex(([], script))
    }

    var received: [Received] { state.withLock { $0.received } }

    /// Runs the receiver while `body` runs, with the URL to post to.
    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook") { [self] request, _ -> Response in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            let answer = state.withLock { state -> Answer in
                state.received.append(Received(headers: headers, body: bytes))
                return state.script.isEmpty ? Answer(status: .ok) : state.script.removeFirst()
            }
            var fields: HTTPFields = [:]
            if let retryAfter = answer.retryAfter { fields[.retryAfter] = retryAfter }
            return Response(status: answer.status, headers: fields)
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)/hook") }
    }
}
