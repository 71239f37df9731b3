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
        /// How long to take before answering.
        var delay: Duration = .zero
        /// A JSON body to answer with (an OTLP collector's `{}`), else none.
        var json: String? = nil
    }

    private let state: Mutex<(received: [Received], script: [Answer], inFlight: Int, mostInFlight: Int)>
    /// What every request after the script gets.
    let otherwise: Answer

    init(script: [Answer] = [], otherwise: Answer = Answer(status: .ok)) {
        state = Mutex(([], script, 0, 0))
        self.otherwise = otherwise
    }

    var received: [Received] { state.withLock { $0.received } }
    /// The most requests it has held at once.
    var mostInFlight: Int { state.withLock { $0.mostInFlight } }

    /// Runs the receiver while `body` runs, with the URL to post to.
    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.post("/hook") { [self, otherwise] request, _ -> Response in
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let bytes = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            let answer = state.withLock { state -> Answer in
                state.received.append(Received(headers: headers, body: bytes))
                state.inFlight += 1
                state.mostInFlight = max(state.mostInFlight, state.inFlight)
                return state.script.isEmpty ? otherwise : state.script.removeFirst()
            }
            try? await Task.sleep(for: answer.delay)
            state.withLock { $0.inFlight -= 1 }
            var fields: HTTPFields = [:]
            if let retryAfter = answer.retryAfter { fields[.retryAfter] = retryAfter }
            guard let json = answer.json else { return Response(status: answer.status, headers: fields) }
            fields[.contentType] = "application/json"
            return Response(status: answer.status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in try await body("http://127.0.0.1:\(client.port!)/hook") }
    }
}
