import Broker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PlatformStore
import TestSupport
import Testing
import VelocityTypes

@testable import Gateway

/// Oracle synthetic jobs through the gateway: creation fans out one LLM line per example,
/// every refusal stores nothing, reads and cancels are tenant-scoped, examples stream as JSONL.
@Suite("Synthetic jobs API")
struct SyntheticJobsAPITests {
    static let path = "/api/oracle/component-templates/synthetic-jobs"
    static let kpiSchema = #"""
        {"type":"object","properties":{"label":{"type":"string","minLength":1},"value":{"type":"number"},
         "unit":{"enum":["INR","Cr","L","%","count"]}},"required":["label","value","unit"],"additionalProperties":false}
        """#

    static func body(
        template: String = "kpi_tile", schema: String = kpiSchema, count: String = "5", extra: String = ""
    ) -> ByteBuffer {
        ByteBuffer(string: #"{"template_id":"\#(template)","schema":\#(schema),"count":\#(count)\#(extra)}"#)
    }

    static func create(_ fixture: GatewayFixture, _ client: some TestClientProtocol, count: Int = 5) async throws
        -> [String: Any]
    {
        let response = try await client.execute(
            uri: path, method: .post, headers: GatewayFixture.json(fixture.acme), body: body(count: String(count)))
        #expect(response.status == .accepted)
        return response.body.json
    }

    @Test("a synthetic job is a row and one low-priority llm line per example, pending until they run")
    func create() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let job = try await Self.create(fixture, client, count: 5)
            let id = try #require(job["id"] as? String)
            #expect(job["status"] as? String == "running")
            #expect(job["count"] as? Int == 5)
            #expect((job["counts"] as? [String: Int])?["pending"] == 5)
            #expect((job["counts"] as? [String: Int])?["valid"] == 0)
            #expect(job["temperature"] as? Double == 0.9)
            #expect((job["urls"] as? [String: String])?["examples"] == "/api/admin-surface/synthetic-jobs/\(id)/examples")

            let depth = try await fixture.gateway.broker.depth(queue: "llm")
            #expect(depth.queued == 5)
            let lines = try await fixture.gateway.records.jobs(
                tenant: "acme", kind: "oracle.synthetic_template", states: nil, before: nil, limit: 10)
            #expect(lines.count == 5)
            #expect(lines.allSatisfy { $0.submission.parentBatch == id && $0.submission.priority == -500 })

            let list = try await client.execute(
                uri: "/api/admin-surface/synthetic-jobs", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let data = try #require(list.body.json["data"] as? [[String: Any]])
            #expect(data.map { $0["id"] as? String } == [id])
        }
    }

    @Test(
        "a synthetic job has a completion window: registered with the broker, its risk shown, its lines promoted once as it nears"
    )
    func completionWindow() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let gateway = fixture.gateway
            let response = try await client.execute(
                uri: Self.path, method: .post, headers: GatewayFixture.json(fixture.acme),
                body: Self.body(count: "4", extra: #","completion_window":"2h""#))
            #expect(response.status == .accepted)
            let id = try #require(response.body.json["id"] as? String)
            #expect(response.body.json["completion_window"] as? String == "2h")
            let window = try #require(response.body.json["window"] as? [String: Any])
            #expect(window["risk"] as? String == "on_track" && window["promoted_at"] is NSNull)
            // The broker has its window, for the GPU boxes' mode advice.
            let open = try await gateway.broker.openBatches(queue: "llm", limit: 10)
            #expect(open.map(\.parent) == [id] && open.first?.open == 4)
            let expiresAt = try #require(response.body.json["expires_at"] as? String)
            let expires = try #require(ISO8601DateFormatter().date(from: expiresAt))
            #expect(abs(Double(try #require(open.first?.dueMilliseconds)) / 1000 - expires.timeIntervalSince1970) < 1)
            #expect(abs(expires.timeIntervalSinceNow - 7_200) < 60)

            let promoter = SyntheticWindowPromoter(
                store: SyntheticJobStore(postgres: gateway.postgres), records: gateway.records, broker: gateway.broker,
                logger: Logger(label: "test"))
            // Far from its end: nothing promoted.
            #expect(try await promoter.runOnce() == 0)
            // One line ended in 1000 s; 100 s are left for the other three: late.
            let consumer = try await gateway.broker.makeConsumer(queue: "llm", workerID: "test-worker")
            let claimed = try await consumer.claim(maxJobs: 1, wait: .seconds(5))
            await consumer.close()
            try await gateway.broker.complete(try #require(claimed.first).lease, result: nil)
            _ = try await gateway.postgres.withConnection {
                try await $0.query(
                    """
                    UPDATE oracle_synthetic_jobs SET created_at = now() - interval '1000 seconds',
                        expires_at = now() + interval '100 seconds' WHERE id = $1::uuid
                    """, [id])
            }
            #expect(try await promoter.runOnce() == 1)
            let lines = try await gateway.records.openChildren(parentBatch: id)
            let waiting = try await gateway.broker.jobs(queue: "llm", ids: lines.map(\.id)).compactMap { $0 }
                .filter { !$0.state.isTerminal }
            // 100 s left: the deadline class 370.
            #expect(waiting.count == 3 && waiting.allSatisfy { $0.priority == 370 }, "\(waiting.map(\.priority))")
            // A later pass in the same class changes nothing; as the window closes, the lines move up.
            #expect(try await promoter.runOnce() == 0)
            _ = try await gateway.postgres.withConnection {
                try await $0.query(
                    "UPDATE oracle_synthetic_jobs SET expires_at = now() + interval '10 seconds' WHERE id = $1::uuid", [id])
            }
            #expect(try await promoter.runOnce() == 1)
            let closer = try await gateway.broker.jobs(queue: "llm", ids: waiting.map(\.id)).compactMap { $0 }
            #expect(closer.allSatisfy { $0.priority == 490 }, "\(closer.map(\.priority))")
            let view = try await client.execute(
                uri: "/api/admin-surface/synthetic-jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let shown = try #require(view.body.json["window"] as? [String: Any])
            #expect(shown["risk"] as? String == "late")
            #expect(shown["promoted_at"] as? Int != nil)
            #expect(shown["promoted_priority"] as? Int == 490)
            // Its risk in /metrics, as a batch's.
            let metrics = String(
                buffer: try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme)).body)
            #expect(metrics.contains(#"velocity_batch_window_risk_ratio{batch="\#(id)"}"#), "\(metrics.prefix(2_000))")
            #expect(metrics.contains(#"velocity_batches_in_progress{risk="late"} 1"#))
        }
    }

    @Test("an Idempotency-Key repeat returns the first job and queues no second set of lines")
    func idempotent() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let headers = GatewayFixture.json(fixture.acme, [HTTPField.Name("Idempotency-Key")!: "kpi-seed-1"])
            let first = try await client.execute(uri: Self.path, method: .post, headers: headers, body: Self.body())
            let second = try await client.execute(uri: Self.path, method: .post, headers: headers, body: Self.body())
            #expect(first.status == .accepted)
            #expect(second.status == .ok)
            #expect(first.body.json["id"] as? String == second.body.json["id"] as? String)
            #expect(try await fixture.gateway.broker.depth(queue: "llm").queued == 5)
        }
    }

    @Test(
        "bad requests are refused with 422 naming the field, and store nothing",
        arguments: [
            (body(template: "KPI Tile"), "template_id"),
            (body(count: "0"), "count"),
            (body(count: "10001"), "count"),
            (body(schema: #"{"type":5}"#), "schema"),
            (body(schema: ##"{"$ref":"#/$defs/missing"}"##), "schema"),
            (body(schema: #"[1,2]"#), "schema"),
            (body(extra: #","temperature":3"#), "temperature"),
            (body(extra: #","completion_window":"0h""#), "completion_window"),
            (body(extra: #","completion_window":"169h""#), "completion_window"),
            (body(extra: #","completion_window":"1d""#), "completion_window"),
            (body(extra: #","completion_window":"024h""#), "completion_window"),
            (body(extra: #","examples":[{"label":"Leads","value":12,"unit":"count"},{"label":"Leads"}]"#), "examples.1"),
        ])
    func refusals(body: ByteBuffer, field: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(
                uri: Self.path, method: .post, headers: GatewayFixture.json(fixture.acme), body: body)
            #expect(response.status == .unprocessableContent)
            let error = try #require(response.body.json["error"] as? [String: Any])
            #expect((error["details"] as? [String: String])?["field"] == field)
            let stored = try await fixture.storedSomething()
            #expect(stored.rows == 0 && stored.redisJobs == 0)
            let jobs = try await fixture.gateway.postgres.withConnection {
                try await $0.query("SELECT count(*) FROM oracle_synthetic_jobs")
            }
            #expect(jobs.rows.first?.first == "0")
        }
    }

    @Test("another tenant's job is a 404 to read, list, download and cancel; its lines stay queued")
    func tenantScoped() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try #require(try await Self.create(fixture, client)["id"] as? String)
            let base = "/api/admin-surface/synthetic-jobs/\(id)"
            for (uri, method) in [(base, HTTPRequest.Method.get), (base + "/examples", .get), (base + "/cancel", .post)] {
                let response = try await client.execute(uri: uri, method: method, headers: GatewayFixture.auth(fixture.globex))
                #expect(response.status == .notFound, "\(method) \(uri)")
            }
            let list = try await client.execute(
                uri: "/api/admin-surface/synthetic-jobs", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect((list.body.json["data"] as? [Any])?.isEmpty == true)
            #expect(try await fixture.gateway.broker.depth(queue: "llm").queued == 5)
        }
    }

    @Test("examples stream as JSONL in line order while the job runs; cancel stops the rest and keeps them")
    func examplesAndCancel() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try #require(try await Self.create(fixture, client, count: 4)["id"] as? String)
            let store = SyntheticJobStore(postgres: fixture.gateway.postgres)
            let job = try #require(try await store.job(id: id))
            // What the LLM worker stores for two lines; the same example again is a duplicate.
            let first: JSONValue = ["label": "Site visits", "unit": "count", "value": 42]
            #expect(try await store.store(example: first, line: 1, of: job, llmCalls: 1, regenerations: 0) == .stored)
            #expect(try await store.store(example: first, line: 2, of: job, llmCalls: 1, regenerations: 0) == .duplicate)
            let second: JSONValue = ["label": "Bookings", "unit": "Cr", "value": 12.5]
            #expect(try await store.store(example: second, line: 0, of: job, llmCalls: 3, regenerations: 1) == .stored)
            #expect(try await store.store(example: second, line: 0, of: job, llmCalls: 1, regenerations: 0) == .alreadyStored)
            // A retried line reads the example its first attempt stored.
            let stored = try #require(try await store.storedExample(jobID: id, line: 0))
            #expect(stored.example == second && stored.llmCalls == 3 && stored.regenerations == 1)
            #expect(try await store.storedExample(jobID: id, line: 3) == nil)

            let download = try await client.execute(
                uri: "/api/admin-surface/synthetic-jobs/\(id)/examples", method: .get,
                headers: GatewayFixture.auth(fixture.acme))
            #expect(download.status == .ok)
            #expect(download.headers[.contentType] == "application/x-ndjson")
            let lines = String(buffer: download.body).split(separator: "\n").map(String.init)
            #expect(
                lines == [
                    #"{"example":{"label":"Bookings","unit":"Cr","value":12.5},"line":0}"#,
                    #"{"example":{"label":"Site visits","unit":"count","value":42},"line":1}"#,
                ])

            let canceled = try await client.execute(
                uri: "/api/admin-surface/synthetic-jobs/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.acme))
            #expect(canceled.status == .ok)
            #expect(try await fixture.gateway.broker.depth(queue: "llm").queued == 0)
            try await eventually("the canceled lines reach the record") {
                let view = try await client.execute(
                    uri: "/api/admin-surface/synthetic-jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
                let counts = view.body.json["counts"] as? [String: Int]
                return view.body.json["status"] as? String == "canceled" && counts?["canceled"] == 4
                    && counts?["valid"] == 2 && counts?["retried"] == 1 && counts?["pending"] == 0
            }
        }
    }
}
