import Broker
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension JobsController {
    /// `GET /v1/jobs/{id}/events`: Server-Sent Events, one per state change, ending at a terminal state.
    ///
    /// The first event is the job's current status; each later one is a state change the broker
    /// recorded (`starting`, `processing`, `progress`, `retrying`, …) with the status read right
    /// after it; the stream ends after the terminal one. While the job is queued, a `position`
    /// event carries its status whenever its queue position, ETA or waiting reason moved (looked
    /// at every hub tick, 2 s). A keep-alive comment after 15 s without a write holds idle
    /// proxies open.
    @Sendable func stream(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let id = try context.parameter("id")
        // Subscribe before reading the status, so no change between the two is missed.
        let updates = events.subscribe(jobID: id)
        let first = try await directory.view(id: id, for: principal)
        let directory = self.directory
        let body = ResponseBody { writer in
            var last = first
            var sequence = JobEventSequence(firstStatus: first.status)
            try await writer.write(Self.event(name: first.status, view: first))
            if sequence.finished {
                try await writer.finish(nil)
                return
            }
            let clock = ContinuousClock()
            var wrote = clock.now
            for await update in updates {
                guard case .event(let event) = update else {
                    // A queued job's standing is looked at every tick; any other quiet stream
                    // re-reads the status every 15 s, so an event lost to a Redis reconnect
                    // cannot leave the client waiting forever.
                    let quiet = wrote.duration(to: clock.now) >= .seconds(15)
                    guard last.status == JobState.queued.rawValue || quiet else { continue }
                    let view = try? await directory.view(id: id, for: principal)
                    if let view, view.isTerminal {
                        last = view
                        break
                    }
                    if let view, view.status == JobState.queued.rawValue, last.status == view.status,
                        !view.sameStanding(as: last)
                    {
                        try await writer.write(Self.event(name: "position", view: view))
                        last = view
                        wrote = clock.now
                    } else if quiet {
                        try await writer.write(ByteBuffer(string: ": keep-alive\n\n"))
                        wrote = clock.now
                    }
                    continue
                }
                // Name the event after the broker's change, so a fast job's `starting` still
                // shows even when the status read after it already says `processing`.
                guard let name = sequence.name(for: event) else { continue }
                let view = (try? await directory.view(id: id, for: principal)) ?? last
                try await writer.write(Self.event(name: name, view: view))
                last = view
                wrote = clock.now
                if sequence.finished { break }
            }
            // The terminal state always closes the stream.
            if let name = sequence.closing(status: last.status) {
                try await writer.write(Self.event(name: name, view: last))
            }
            try await writer.finish(nil)
        }
        return Response(
            status: .ok,
            headers: [
                .contentType: "text/event-stream", .cacheControl: "no-cache",
                HTTPField.Name("X-Accel-Buffering")!: "no",
            ],
            body: body)
    }

    static func event(name: String, view: JobView) -> ByteBuffer {
        let data = (try? JSONResponse.encoder.encode(view)) ?? Data("{}".utf8)
        return ByteBuffer(string: "event: \(name)\ndata: \(String(decoding: data, as: UTF8.self))\n\n")
    }
}
