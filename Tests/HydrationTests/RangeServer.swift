import Foundation
import Hummingbird
import Synchronization

/// A loopback HTTP server for model files with single-range support (206 + Content-Range),
/// bound to 127.0.0.1 on a free port, that can corrupt or cut responses and records every
/// request's range.
final class RangeServer: Sendable {
    /// What to do to a request, decided from its file name, range start and how many requests
    /// for that file came before.
    enum Fault: Sendable {
        case none
        /// Flip one byte of the body.
        case corrupt
        /// Send this many body bytes, then drop the connection.
        case cut(afterBytes: Int)
        case status(Int)
    }

    struct Request: Sendable, Equatable {
        var file: String
        var rangeStart: Int?
        var rangeEnd: Int?
    }

    private struct State {
        var files: [String: [UInt8]] = [:]
        var requests: [Request] = []
        var fault: @Sendable (_ file: String, _ rangeStart: Int, _ previousRequests: Int) -> Fault = { _, _, _ in .none }
    }

    private let state = Mutex(State())

    func put(_ name: String, _ bytes: [UInt8]) { state.withLock { $0.files[name] = bytes } }

    func setFault(_ fault: @escaping @Sendable (_ file: String, _ rangeStart: Int, _ previousRequests: Int) -> Fault) {
        state.withLock { $0.fault = fault }
    }

    var requests: [Request] { state.withLock { $0.requests } }
    func resetRequests() { state.withLock { $0.requests = [] } }

    /// Runs `body` with the server's base URL, then stops the server.
    func run(_ body: @Sendable (String) async throws -> Void) async throws {
        let router = Router()
        router.get("/files/{name}") { [self] request, context -> Response in
            let name = try context.parameters.require("name")
            return respond(name: name, range: request.headers[.range])
        }
        let port = PortBox()
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in port.set(channel.localAddress?.port ?? 0) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            while port.value == 0 { try await Task.sleep(for: .milliseconds(5)) }
            do {
                try await body("http://127.0.0.1:\(port.value)")
            } catch {
                group.cancelAll()
                throw error
            }
            group.cancelAll()
        }
    }

    private func respond(name: String, range: String?) -> Response {
        let parsed = range.flatMap(Self.parseRange)
        let (bytes, fault) = state.withLock { state -> ([UInt8]?, Fault) in
            let previous = state.requests.filter { $0.file == name }.count
            state.requests.append(Request(file: name, rangeStart: parsed?.0, rangeEnd: parsed?.1))
            return (state.files[name], state.fault(name, parsed?.0 ?? 0, previous))
        }
        guard let bytes else { return Response(status: .notFound) }
        if case .status(let code) = fault { return Response(status: .init(code: code)) }
        var start = 0
        var end = bytes.count - 1
        var headers: HTTPFields = [.acceptRanges: "bytes", .contentType: "application/octet-stream"]
        var status = HTTPResponse.Status.ok
        if let parsed {
            start = parsed.0
            end = min(parsed.1 ?? bytes.count - 1, bytes.count - 1)
            guard start < bytes.count, start <= end else {
                return Response(status: .rangeNotSatisfiable, headers: [.contentRange: "bytes */\(bytes.count)"])
            }
            status = .partialContent
            headers[.contentRange] = "bytes \(start)-\(end)/\(bytes.count)"
        }
        var body = Array(bytes[start...end])
        headers[.contentLength] = String(body.count)
        switch fault {
        case .corrupt:
            body[body.count / 2] ^= 0xFF
        case .cut(let afterBytes):
            // Fewer bytes than Content-Length, then the server closes the connection.
            headers[.connection] = "close"
            return Response(
                status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body.prefix(afterBytes))))
        default:
            break
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// `bytes=a-b` or `bytes=a-`.
    static func parseRange(_ value: String) -> (Int, Int?)? {
        guard value.hasPrefix("bytes=") else { return nil }
        let parts = value.dropFirst(6).split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int(parts[0]) else { return nil }
        return (start, Int(parts[1]))
    }
}

final class PortBox: Sendable {
    private let port = Mutex(0)
    func set(_ value: Int) { port.withLock { $0 = value } }
    var value: Int { port.withLock { $0 } }
}
