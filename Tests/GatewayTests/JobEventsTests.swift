import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

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

    @Test("the stream shows the real sequence of states and ends at the terminal one")
    func sequence() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            let id = try #require(accepted.body.json["id"] as? String)
            let gateway = fixture.gateway
            let response = try await withThrowingTaskGroup(of: TestResponse?.self) { group in
                group.addTask {
                    try await client.execute(
                        uri: "/v1/jobs/\(id)/events", method: .get, headers: GatewayFixture.auth(fixture.acme))
                }
                group.addTask {
                    try await eventually("the stream subscribed") { gateway.events.watcherCount(jobID: id) > 0 }
                    let consumer = try await gateway.broker.makeConsumer(queue: "cpu", workerID: "sse-worker")
                    let job = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(5)).first)
                    await consumer.close()
                    _ = try await gateway.broker.heartbeat(job.lease, progress: nil)
                    _ = try await gateway.broker.heartbeat(job.lease, progress: JobProgress(fraction: 0.5, message: "half"))
                    try await gateway.broker.complete(job.lease, result: #"{"ok":true}"#)
                    return nil
                }
                var stream: TestResponse?
                for try await result in group where result != nil { stream = result }
                return try #require(stream)
            }
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/event-stream")
            let events = Self.events(response.body)
            #expect(events.map(\.name) == ["queued", "starting", "processing", "progress", "succeeded"])
            #expect(events.last?.status == "succeeded")
            #expect(events.first?.status == "queued")
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
