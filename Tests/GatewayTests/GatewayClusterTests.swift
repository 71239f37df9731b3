import Broker
import Foundation
import GPUBox
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

/// The gateway with its Redis a Redis Cluster (`redis-cluster://`): submits, reads, results,
/// queue views, limits, pause and the boxes all work with each queue on its own node.
@Suite("Gateway on a Redis Cluster")
struct GatewayClusterTests {
    @Test("submit, status, result, /v1/queues, limits, pause and /v1/gpus on a cluster")
    func gatewayOnACluster() async throws {
        let url = try TestServers.redisClusterURL()
        try await GatewayFixture.withGateway(configure: { $0.redisURL = url }) { fixture, client in
            let gateway = fixture.gateway
            #expect(gateway.redis.configuration.isCluster)
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{}}"#))
            #expect(accepted.status == .accepted)
            let cpu = try #require(accepted.body.json["id"] as? String)
            // A job of another queue (another hash tag, likely another node), read through the same routes.
            let llm = JobSubmission(kind: "llm.chat", queue: "llm", tenant: "acme", payload: "{}")
            _ = try await gateway.broker.enqueue([llm])
            // Two queues, two hash tags: the cluster serves each from the node owning its slot.
            let consumer = try await gateway.broker.makeConsumer(queue: "cpu", workerID: "cluster-w")
            let claimed = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(2)).first)
            await consumer.close()
            #expect(claimed.id == cpu)
            try await gateway.broker.complete(claimed.lease, result: #"{"ok":true}"#)
            let result = try await client.execute(
                uri: "/v1/jobs/\(cpu)/result", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(result.status == .ok)
            #expect((result.body.json["result"] as? [String: Bool])?["ok"] == true)
            let other = try await client.execute(
                uri: "/v1/jobs/\(llm.id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(try other.body.decode(JobView.self).status == "queued")

            let put = try await client.execute(
                uri: "/v1/queues/cpu/limits", method: .put, headers: GatewayFixture.json(fixture.operatorKey),
                body: ByteBuffer(string: #"{"caps":{"tenant:*":2}}"#))
            #expect(put.status == .ok)
            let pause = try await client.execute(
                uri: "/v1/queues/cpu/pause", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(pause.status == .ok)
            let queues = try await client.execute(uri: "/v1/queues", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let data = try #require(queues.body.json["data"] as? [[String: Any]])
            let row = try #require(data.first { $0["name"] as? String == "cpu" })
            #expect(row["paused"] as? Bool == true)
            #expect((row["fair_share"] as? [String: Any]).flatMap { $0["limits"] as? [String: Any] } != nil)

            try await gateway.boxes.publish(
                BoxStatus(box: "cluster-box", mode: .media, desiredMode: nil, heartbeatMilliseconds: 0, gpus: []))
            let gpus = try await client.execute(uri: "/v1/gpus", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(gpus.status == .ok)
            let boxes = try #require(gpus.body.json["data"] as? [[String: Any]])
            #expect(boxes.map { $0["box"] as? String } == ["cluster-box"])
        }
    }
}
