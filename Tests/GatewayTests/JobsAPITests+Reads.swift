import Broker
import Foundation
import Gateway
import HummingbirdTesting
import Testing
import TestSupport

extension JobsAPITests {
    @Test("a broker that cannot be read fails the list (503) rather than leaving jobs out of it")
    func listSurfacesBrokerErrors() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: Self.submitBody())
            let id = try #require(accepted.body.json["id"] as? String)
            // A job key of the wrong type: every read of it is an error reply.
            _ = try await fixture.gateway.redis.send(RedisCommand("SET", [fixture.gateway.broker.keys("cpu").job(id), "x"]))
            let list = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(list.status == .serviceUnavailable)
            #expect((list.body.json["error"] as? [String: Any])?["code"] as? String == "unavailable")
        }
    }

    @Test("a list shows the live states and queue positions the broker has")
    func listOverlaysLiveStates() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            var ids: [String] = []
            for _ in 0..<3 {
                let response = try await client.execute(
                    uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: Self.submitBody())
                ids.append(try #require(response.body.json["id"] as? String))
            }
            let consumer = try await fixture.gateway.broker.makeConsumer(queue: "cpu", workerID: "test-worker")
            let claimed = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(5)).first)
            await consumer.close()
            #expect(claimed.id == ids[0])
            let page = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let views = try page.body.decode(Page.self).data
            #expect(views.map(\.id) == [ids[2], ids[1], ids[0]])
            #expect(views.map(\.status) == ["queued", "queued", "starting"])
            #expect(views.map(\.queue_position) == [1, 0, nil])
            let starting = try await client.execute(
                uri: "/v1/jobs?state=starting", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(try starting.body.decode(Page.self).data.map(\.id) == [ids[0]])
        }
    }

    struct Page: Decodable {
        var data: [JobView]
    }
}
