import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("Job events (Server-Sent Events)")
struct JobEventsTests {
    /// `event:` names of an SSE body, in order, and the status in each `data:` line.
    static func events(_ body: ByteBuffer) -> [(name: String, status: String?)] {
        String(buffer: body).components(separatedBy: "\n\n").compactMap { block in
            let lines = block.split(separator: "\n")
            guard let name = lines.first(where: { $0.hasPrefix("event: ") })?.dropFirst(7) else { return nil }
            let data = lines.first(where: { $0.hasPrefix("data: ") })?.dropFirst(6)
            let object = data.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } as? [String: Any]
            return (String(name), object?["status"] as? String)
        }
    }

    /// The whole `/events` stream of job `id`, read while `work` runs once the stream has
    /// subscribed.
    static func stream(
        _ id: String, fixture: GatewayFixture, client: any TestClientProtocol,
        while work: @escaping @Sendable (Gateway) async throws -> Void
    ) async throws -> TestResponse {
        let gateway = fixture.gateway
        return try await withThrowingTaskGroup(of: TestResponse?.self) { group in
            group.addTask {
                try await client.execute(
                    uri: "/v1/jobs/\(id)/events", method: .get, headers: GatewayFixture.auth(fixture.acme))
            }
            group.addTask {
                try await eventually("the stream subscribed") { gateway.events.watcherCount(jobID: id) > 0 }
                try await work(gateway)
                return nil
            }
            var stream: TestResponse?
            for try await result in group where result != nil { stream = result }
            return try #require(stream)
        }
    }

    @Test("the stream shows the real sequence of states and ends at the terminal one")
    func sequence() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            let id = try #require(accepted.body.json["id"] as? String)
            let response = try await Self.stream(id, fixture: fixture, client: client) { gateway in
                let consumer = try await gateway.broker.makeConsumer(queue: "cpu", workerID: "sse-worker")
                let job = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(5)).first)
                await consumer.close()
                _ = try await gateway.broker.heartbeat(job.lease, progress: nil)
                _ = try await gateway.broker.heartbeat(job.lease, progress: JobProgress(fraction: 0.5, message: "half"))
                try await gateway.broker.complete(job.lease, result: #"{"ok":true}"#)
            }
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = Self.events(response.body)
            // The first event is the status the stream read after subscribing: `queued`, unless on a
            // loaded machine the claim landed between the two (then `starting`, read as it is). Every
            // change after it is in the stream, in order.
            let sequence = ["queued", "starting", "processing", "progress", "succeeded"]
            let names = events.map(\.name)
            #expect(names == sequence || names == Array(sequence.dropFirst()), "\(names)")
            #expect(events.last?.status == "succeeded")
            #expect(events.first?.status == names.first)
        }
    }

    @Test("a queued job's stream says when its position moves, before it starts")
    func positionEvents() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            var ids: [String] = []
            for _ in 0..<3 {
                let accepted = try await client.execute(
                    uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                    body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
                ids.append(try #require(accepted.body.json["id"] as? String))
            }
            let id = ids[2]
            let response = try await Self.stream(id, fixture: fixture, client: client) { gateway in
                let consumer = try await gateway.broker.makeConsumer(queue: "cpu", workerID: "sse-worker")
                let first = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(5)).first)
                try await gateway.broker.complete(first.lease, result: nil)
                // The stream looks at a queued job's standing on the hub's ticks (every 2 s), and
                // what it wrote is readable only once it ends: two ticks after the move (the
                // first makes the stream look, the second follows its write), end it.
                let moved = gateway.events.ticks
                try await eventually("two ticks after the move", limit: .seconds(15)) {
                    gateway.events.ticks >= moved + 2
                }
                for job in try await consumer.claim(maxJobs: 2, wait: .seconds(5)) {
                    try await gateway.broker.complete(job.lease, result: nil)
                }
                await consumer.close()
            }
            let blocks = String(buffer: response.body).components(separatedBy: "\n\n")
            let positions = blocks.filter { $0.hasPrefix("event: position") }.compactMap { block -> Int? in
                guard let data = block.split(separator: "\n").first(where: { $0.hasPrefix("data: ") })?.dropFirst(6),
                    let object = try? JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any]
                else { return nil }
                return object["queue_position"] as? Int
            }
            #expect(positions.first == 1, "the move from 2 to 1 ahead: \(positions)")
            let names = Self.events(response.body).map(\.name)
            #expect(names.first == "queued")
            #expect(names.last == "succeeded")
            let position = try #require(names.firstIndex(of: "position"), "\(names)")
            let starting = try #require(names.firstIndex(of: "starting"), "\(names)")
            #expect(position < starting)
        }
    }

    @Test("a finished job's stream is its final status, at once")
    func finishedJob() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            let id = try #require(accepted.body.json["id"] as? String)
            _ = try await client.execute(uri: "/v1/jobs/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.acme))
            let response = try await client.execute(
                uri: "/v1/jobs/\(id)/events", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(Self.events(response.body).map(\.name) == ["canceled"])
        }
    }
}
