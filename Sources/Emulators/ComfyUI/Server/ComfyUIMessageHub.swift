import Foundation
import Synchronization

/// The websocket side of ComfyUI's `PromptServer`: the `sockets` dict keyed by client id, and
/// `send_sync`, which addresses one client id or (without one) every socket. Each socket gets
/// its messages through its own ordered stream, so a socket sees events in the order they
/// were sent. A stall (the known ComfyUI failure) silently drops every message.
final class ComfyUIMessageHub: Sendable {
    /// A registered connection: its id and the stream of text frames to write to it.
    struct Connection: Sendable {
        let sid: String
        let serial: Int
        let frames: AsyncStream<String>
    }

    private struct Socket {
        var serial: Int
        var continuation: AsyncStream<String>.Continuation
    }

    private struct State {
        var sockets: [String: Socket] = [:]
        /// Every open connection, replaced ones included, so a crash can close them all.
        var open: [Int: AsyncStream<String>.Continuation] = [:]
        var nextSerial = 0
        var stalled = false
        var closed = false
        /// `server.client_id` and `server.last_node_id` of the prompt running now.
        var executingClientID: String?
        var lastNodeID: String?
    }

    private let state = Mutex(State())

    var isStalled: Bool {
        get { state.withLock { $0.stalled } }
        set { state.withLock { $0.stalled = newValue } }
    }

    /// The websocket handler's start: replaces any socket of the same client id (which then
    /// hears nothing more, but stays open), sends `status` with the sid, and `executing` with
    /// the current node when this client's prompt is running.
    func connect(clientID: String?, queueRemaining: Int) -> Connection {
        let sid = clientID.flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let (frames, continuation) = AsyncStream.makeStream(of: String.self)
        return state.withLock { state in
            let serial = state.nextSerial
            state.nextSerial += 1
            if state.closed {
                continuation.finish()
                return Connection(sid: sid, serial: serial, frames: frames)
            }
            state.sockets[sid] = Socket(serial: serial, continuation: continuation)
            state.open[serial] = continuation
            let status: ComfyJSON = [
                "status": ["exec_info": ["queue_remaining": .int(queueRemaining)]], "sid": .string(sid),
            ]
            if !state.stalled {
                continuation.yield(Self.frame("status", status))
                if state.executingClientID == sid, let node = state.lastNodeID {
                    continuation.yield(Self.frame("executing", ["node": .string(node)]))
                }
            }
            return Connection(sid: sid, serial: serial, frames: frames)
        }
    }

    /// The handler's `finally: self.sockets.pop(sid, None)`: removes whatever socket now holds
    /// this sid, even a newer connection that reused it, as ComfyUI does.
    func disconnect(_ connection: Connection) {
        let own = state.withLock { state -> AsyncStream<String>.Continuation? in
            state.sockets.removeValue(forKey: connection.sid)
            return state.open.removeValue(forKey: connection.serial)
        }
        own?.finish()
    }

    /// `send_sync(event, data, sid)`: to `sid`'s socket, or to every socket when `sid` is nil.
    func send(_ event: String, _ data: ComfyJSON, to sid: String?) {
        state.withLock { state in
            guard !state.stalled, !state.closed else { return }
            let frame = Self.frame(event, data)
            if let sid {
                state.sockets[sid]?.continuation.yield(frame)
            } else {
                for socket in state.sockets.values { socket.continuation.yield(frame) }
            }
        }
    }

    /// Tracks `server.client_id` / `server.last_node_id` for reconnecting clients.
    func setExecuting(clientID: String?, node: String?) {
        state.withLock { state in
            state.executingClientID = clientID
            state.lastNodeID = node
        }
    }

    /// Ends every connection (a crash or shutdown) and refuses new ones.
    func closeAll() {
        let open = state.withLock { state -> [AsyncStream<String>.Continuation] in
            state.closed = true
            state.sockets = [:]
            defer { state.open = [:] }
            return Array(state.open.values)
        }
        for continuation in open { continuation.finish() }
    }

    static func frame(_ event: String, _ data: ComfyJSON) -> String {
        ComfyJSON.object(["type": .string(event), "data": data]).serialized
    }
}
