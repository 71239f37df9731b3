import Hummingbird
import HummingbirdWebSocket

extension ComfyUIEmulator {
    /// `GET /ws?clientId=`: registers the socket under its client id (or a fresh hex id),
    /// sends `status` with the `sid`, then relays the messages addressed to it. A first
    /// client message `{"type": "feature_flags"}` is answered with the server's flags.
    func serveWebSocket(
        inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, context: WebSocketRouterContext<Context>
    ) async throws {
        let clientID = context.request.uri.queryParameters["clientId"].map(String.init)
        let connection = hub.connect(clientID: clientID, queueRemaining: queue.remaining)
        defer { hub.disconnect(connection) }
        let hub = hub
        let features = serverFeatures
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for await frame in connection.frames { try await outbound.write(.text(frame)) }
            }
            group.addTask {
                var first = true
                for try await message in inbound.messages(maxSize: 1 << 20) {
                    defer { first = false }
                    guard first, case .text(let text) = message,
                        let json = try? ComfyJSON.parse(text), json["type"]?.stringValue == "feature_flags"
                    else { continue }
                    hub.send("feature_flags", features, to: connection.sid)
                }
            }
            try await group.next()
            group.cancelAll()
        }
    }
}
