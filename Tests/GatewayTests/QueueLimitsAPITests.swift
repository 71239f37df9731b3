import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// Fair share, caps and rates through the API: the operator route, what `/v1/queues`, `/metrics`
/// and a job's status say about them.
@Suite("Queue limits API")
struct QueueLimitsAPITests {
    static let limits = #"{"weights":{"acme":2},"caps":{"tenant:*":1},"rates":{"kind:cpu.task":{"count":50,"interval_ms":1000}}}"#

    @Test("operators set a queue's limits; a waiting job says what holds it; /v1/queues and /metrics show the share")
    func limitsThroughTheAPI() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let put = try await client.execute(
                uri: "/v1/queues/cpu/limits", method: .put, headers: GatewayFixture.json(fixture.operatorKey),
                body: ByteBuffer(string: Self.limits))
            #expect(put.status == .ok)
            let stored = try put.body.decode(QueueLimits.self)
            #expect(stored.caps == ["tenant:*": 1])
            #expect(stored.rates["kind:cpu.task"] == .init(count: 50, intervalMilliseconds: 1_000))
            let read = try await client.execute(
                uri: "/v1/queues/cpu/limits", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(try read.body.decode(QueueLimits.self) == stored)

            var ids: [String] = []
            for key in ["lead:1", "lead:2"] {
                let body = ByteBuffer(string: #"{"kind":"cpu.task","payload":{},"concurrency_key":"\#(key)"}"#)
                let accepted = try await client.execute(
                    uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: body)
                #expect(accepted.status == .accepted)
                ids.append(try #require(accepted.body.json["id"] as? String))
            }
            #expect(try await fixture.gateway.records.job(id: ids[0])?.submission.concurrencyKey == "lead:1")
            let consumer = try await fixture.gateway.broker.makeConsumer(queue: "cpu", workerID: "w1")
            let claimed = try await consumer.claim(maxJobs: 5, wait: .zero)
            await consumer.close()
            #expect(claimed.map(\.id) == [ids[0]], "acme's cap of one holds its second job")
            let status = try await client.execute(
                uri: "/v1/jobs/\(ids[1])", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let view = try status.body.decode(JobView.self)
            #expect(view.waiting_reason == "waiting: concurrency cap tenant:acme (1 of 1 running)")
            #expect(view.eta == nil)

            let queues = try await client.execute(uri: "/v1/queues", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let data = try #require(queues.body.json["data"] as? [[String: Any]])
            let cpu = try #require(data.first { $0["name"] as? String == "cpu" })
            let share = try #require(cpu["fair_share"] as? [String: Any])
            #expect(share["queued_by_tenant"] as? [String: Int] == ["acme": 1])
            let running = try #require(share["running"] as? [String: [String: Int]])
            #expect(running["tenant:acme"] == ["running": 1, "cap": 1])

            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let text = String(buffer: metrics.body)
            #expect(text.contains(#"velocity_queue_tenant_queued{queue="cpu",tenant="acme"} 1"#))
            #expect(text.contains(#"velocity_queue_limit_running{queue="cpu",subject="tenant:acme"} 1"#))
            #expect(text.contains(#"velocity_queue_limit_cap{queue="cpu",subject="tenant:acme"} 1"#))
        }
    }

    @Test("a bad rule, another role or an unknown queue is refused and the limits stay as they were")
    func refusals() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let put = try await client.execute(
                uri: "/v1/queues/cpu/limits", method: .put, headers: GatewayFixture.json(fixture.operatorKey),
                body: ByteBuffer(string: Self.limits))
            #expect(put.status == .ok)
            let stored = try put.body.decode(QueueLimits.self)
            let refused: [(String, String, HTTPResponse.Status, String)] = [
                (fixture.operatorKey, #"{"caps":{"tenants:acme":1}}"#, .unprocessableContent, "invalid_request"),
                (fixture.operatorKey, #"{"weights":{"acme":-1}}"#, .unprocessableContent, "invalid_request"),
                (
                    fixture.operatorKey, #"{"rates":{"queue":{"count":0,"interval_ms":1000}}}"#, .unprocessableContent,
                    "invalid_request"
                ),
                (fixture.operatorKey, #"{"caps":{"queue":"two"}}"#, .unprocessableContent, "invalid_request"),
                (fixture.operatorKey, #"{"caps":"#, .badRequest, "malformed_json"),
                (fixture.acme, #"{"caps":{"queue":1}}"#, .forbidden, "forbidden"),
            ]
            for (key, body, status, code) in refused {
                let response = try await client.execute(
                    uri: "/v1/queues/cpu/limits", method: .put, headers: GatewayFixture.json(key),
                    body: ByteBuffer(string: body))
                #expect(response.status == status, "\(body)")
                let error = try #require(response.body.json["error"] as? [String: Any])
                #expect(error["code"] as? String == code, "\(body)")
            }
            let unknown = try await client.execute(
                uri: "/v1/queues/nope/limits", method: .put, headers: GatewayFixture.json(fixture.operatorKey),
                body: ByteBuffer(string: Self.limits))
            #expect(unknown.status == .notFound)
            #expect(try await fixture.gateway.broker.limits(queue: "cpu").caps == ["tenant:*": 1])
            #expect(try await fixture.gateway.records.queueSettings() == ["cpu": QueueSettings(limits: stored)])
            for key in ["", String(repeating: "k", count: 129), #"lead:1\u0007"#] {
                let badKey = try await client.execute(
                    uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                    body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{},"concurrency_key":"\#(key)"}"#))
                #expect(badKey.status == .unprocessableContent, "\(key)")
                #expect(
                    (badKey.body.json["error"] as? [String: Any])?["details"] as? [String: String] == ["field": "concurrency_key"]
                )
            }
            #expect(try await fixture.gateway.broker.depth(queue: "cpu").queued == 0)
        }
    }

    @Test("limits and pause set through the routes are recorded, and come back after Redis loses its data")
    func settingsSurviveDataLoss() async throws {
        // The gateway's own reconciler stays off, so this test's runs see every drift.
        try await GatewayFixture.withGateway(configure: { $0.recordSync = false }) { fixture, client in
            let put = try await client.execute(
                uri: "/v1/queues/cpu/limits", method: .put, headers: GatewayFixture.json(fixture.operatorKey),
                body: ByteBuffer(string: Self.limits))
            #expect(put.status == .ok)
            let limits = try put.body.decode(QueueLimits.self)
            let pause = try await client.execute(
                uri: "/v1/queues/cpu/pause", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(pause.status == .ok)
            let recorded = try await fixture.gateway.records.queueSettings()
            #expect(recorded == ["cpu": QueueSettings(limits: limits, paused: true)])

            let reconciler = JobReconciler(broker: fixture.gateway.broker, store: fixture.gateway.records)
            #expect(try await reconciler.run(repair: false).settingsDrift == [], "nothing drifted yet")
            await fixture.loseRedisData()
            #expect(try await fixture.gateway.broker.limits(queue: "cpu").isEmpty)
            #expect(try await fixture.gateway.broker.depth(queue: "cpu").paused == false)
            #expect(try await reconciler.run(repair: false).settingsDrift == ["cpu"])
            #expect(try await fixture.gateway.broker.limits(queue: "cpu").isEmpty, "a dry run changes nothing")

            #expect(try await reconciler.run(repair: true).settingsDrift == ["cpu"])
            #expect(try await fixture.gateway.broker.limits(queue: "cpu") == limits)
            #expect(try await fixture.gateway.broker.depth(queue: "cpu").paused)
            #expect(try await reconciler.run(repair: true).settingsDrift == [], "applied once, then in step")

            let resume = try await client.execute(
                uri: "/v1/queues/cpu/resume", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(resume.status == .ok)
            #expect(try await fixture.gateway.records.queueSettings()["cpu"] == QueueSettings(limits: limits, paused: false))
            #expect(try await fixture.gateway.broker.depth(queue: "cpu").paused == false)
        }
    }
}
