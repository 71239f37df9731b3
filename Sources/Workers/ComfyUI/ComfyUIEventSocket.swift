public import Logging
import NIOCore
import WSClient

/// Keeps a websocket open to one ComfyUI's `/ws?clientId=…` and publishes what it says to a
/// hub: its JSON events (binary preview frames are skipped), and when it connects and drops.
/// Reconnects with backoff until the calling task is cancelled.
///
/// ComfyUI sends a prompt's events only to the socket whose id is the prompt's `client_id`,
/// and a reconnect under the same id replaces the old socket, so one socket per client id.
public struct ComfyUIEventSocket: Sendable {
    public let url: String
    public let hub: ComfyUIEventHub
    let logger: Logger
    /// Frames up to this size; ComfyUI's preview images come as large binary frames.
    static let maxMessageBytes = 32 << 20

    public init(url: String, hub: ComfyUIEventHub, logger: Logger) {
        self.url = url
        self.hub = hub
        self.logger = logger
    }

    /// Runs until the task is cancelled.
    public func run() async {
        var backoff = Duration.milliseconds(100)
        while !Task.isCancelled {
            let startedAt = ContinuousClock.now
            do {
                try await connectOnce()
            } catch is CancellationError {
                break
            } catch {
                if !Task.isCancelled { logger.debug("ComfyUI websocket \(url): \(error)") }
            }
            hub.publish(.disconnected)
            if Task.isCancelled { break }
            // A socket that stayed up a while gets a fresh backoff.
            if ContinuousClock.now - startedAt > .seconds(10) { backoff = .milliseconds(100) }
            try? await Task.sleep(for: backoff)
            backoff = min(backoff * 2, .seconds(2))
        }
    }

    private func connectOnce() async throws {
        let hub = self.hub
        let configuration = WebSocketClientConfiguration(
            maxFrameSize: Self.maxMessageBytes, autoPing: .enabled(timePeriod: .seconds(10)))
        try await WebSocketClient.connect(url: url, configuration: configuration, logger: logger) { inbound, _, _ in
            hub.publish(.connected)
            for try await message in inbound.messages(maxSize: Self.maxMessageBytes) {
                guard case .text(let text) = message, let event = ComfyUIEvent.decode(text) else { continue }
                hub.publish(.event(event))
            }
        }
    }
}
