import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("Operations: queues, dead letters, metrics")
struct OperationsTests {
    static func submit(_ client: any TestClientProtocol, _ key: String, maxAttempts: Int = 3) async throws -> String {
        let response = try await client.execute(
            uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(key),
            body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{},"max_attempts":\#(maxAttempts)}"#))
        return try #require(response.body.json["id"] as? String)
    }

    /// Claims the next cpu job and fails it on its last attempt, so it goes dead.
    static func killNext(_ gateway: Gateway) async throws -> String {
        let consumer = try await gateway.broker.makeConsumer(queue: "cpu", workerID: "ops-test")
        let job = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(5)).first)
        await consumer.close()
        _ = try await gateway.broker.fail(job.lease, JobFailure(code: "boom", message: "exploded", retriable: true))
        return job.lease.jobID
    }

    @Test("queue depth by state, oldest age, totals and rates, on both routes")
    func queues() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            for _ in 0..<3 { _ = try await Self.submit(client, fixture.acme) }
            for uri in ["/v1/queues", "/api/admin-surface/queues"] {
                let response = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.acme))
                #expect(response.status == .ok)
                let queues = try #require(response.body.json["data"] as? [[String: Any]])
                #expect(queues.compactMap { $0["name"] as? String } == ["cpu", "llm", "media"])
                let cpu = try #require(queues.first)
                #expect((cpu["depth"] as? [String: Int])?["queued"] == 3)
                #expect((cpu["totals"] as? [String: Int])?["enqueued"] == 3)
                #expect(cpu["paused"] as? Bool == false)
                #expect(cpu["oldest_waiting_ms"] is Int)
                #expect(cpu.keys.contains("enqueue_rate") && cpu.keys.contains("completion_rate"))
            }
        }
    }

    @Test("pause and resume an unknown queue is 404; pause shows in the queue list")
    func pauseResume() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let missing = try await client.execute(
                uri: "/v1/queues/gpu9/pause", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(missing.status == .notFound)
            _ = try await client.execute(
                uri: "/v1/queues/media/pause", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            let list = try await client.execute(uri: "/v1/queues", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let media = (list.body.json["data"] as? [[String: Any]])?.first { $0["name"] as? String == "media" }
            #expect(media?["paused"] as? Bool == true)
            _ = try await client.execute(
                uri: "/v1/queues/media/resume", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(try await fixture.gateway.broker.depth(queue: "media").paused == false)
        }
    }

    @Test("operators list dead jobs and replay them; replaying a live job is 409")
    func deadLetters() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try await Self.submit(client, fixture.acme, maxAttempts: 1)
            #expect(try await Self.killNext(fixture.gateway) == id)
            let submitterTry = try await client.execute(
                uri: "/v1/queues/cpu/dead", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(submitterTry.status == .forbidden)
            let dead = try await client.execute(
                uri: "/v1/queues/cpu/dead", method: .get, headers: GatewayFixture.auth(fixture.operatorKey))
            let jobs = try #require(dead.body.json["data"] as? [[String: Any]])
            #expect(jobs.map { $0["id"] as? String } == [id])
            #expect((jobs.first?["error"] as? [String: Any])?["code"] as? String == "boom")

            let live = try await Self.submit(client, fixture.acme)
            let refused = try await client.execute(
                uri: "/v1/queues/cpu/dead/\(live)/replay", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(refused.status == .conflict)

            let replayed = try await client.execute(
                uri: "/v1/queues/cpu/dead/\(id)/replay", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(replayed.status == .ok)
            #expect(replayed.body.json["status"] as? String == "queued")
            let wrongQueue = try await client.execute(
                uri: "/v1/queues/llm/dead/\(id)/replay", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(wrongQueue.status == .notFound)
        }
    }

    @Test("/metrics exports queue gauges, broker counters, job durations by kind and HTTP requests by route")
    func metrics() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try await Self.submit(client, fixture.acme, maxAttempts: 1)
            _ = try await Self.killNext(fixture.gateway)
            _ = try await Self.submit(client, fixture.acme)
            _ = try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            // The dead job's record passes through the outbox, where its duration is observed.
            try await eventually("the dead job reached Postgres") {
                try await fixture.gateway.records.job(id: id)?.state == .dead
            }
            // The GPU box metrics come from what agents publish.
            try await BoxAPITests.publish(fixture.gateway, box: "box-1", mode: .media, restarts: ["comfyui@0": 1])
            let response = try await client.execute(
                uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: response.body)
            #expect(text.contains(#"velocity_queue_depth{queue="cpu",state="queued"} 1"#))
            #expect(text.contains(#"velocity_queue_depth{queue="cpu",state="dead"} 1"#))
            #expect(text.contains(#"velocity_jobs_enqueued_total{queue="cpu"} 2"#))
            #expect(text.contains(#"velocity_jobs_dead_total{queue="cpu"} 1"#))
            #expect(text.contains(#"velocity_queue_oldest_age_seconds{queue="cpu"}"#))
            #expect(text.contains(#"velocity_job_duration_seconds_count{kind="cpu.task",state="dead"} 1"#))
            #expect(text.contains(#"velocity_http_requests_total{route="/v1/jobs/{id}",method="GET",status="200"} 1"#))
            #expect(text.contains(#"velocity_http_requests_total{route="/v1/jobs",method="POST",status="202"} 2"#))
            // Series of caps and parked jobs exist only where a queue has caps, a batch's window
            // ratio only while a batch runs with a line ended: the live check in OpsMetricNamesTests
            // makes both and sees them.
            let capped: Set = [
                "velocity_queue_limit_running", "velocity_queue_limit_cap", "velocity_queue_parked",
                "velocity_batch_window_risk_ratio",
            ]
            for name in GatewayMetrics.names where !capped.contains(name) {
                #expect(text.contains(name), "\(name) is not exported")
            }
            #expect(text.contains(#"velocity_queue_tenant_queued{queue="cpu",tenant="acme"} 1"#))
        }
    }
}
