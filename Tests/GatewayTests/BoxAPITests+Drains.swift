import Foundation
import GPUBox
import Gateway
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

extension BoxAPITests {
    static func drain(_ client: any TestClientProtocol, _ key: String, _ path: String, _ body: String = "{}") async throws
        -> TestResponse
    {
        try await client.execute(uri: path, method: .post, headers: GatewayFixture.json(key), body: ByteBuffer(string: body))
    }

    @Test("an operator drains a GPU for the agent to follow, with who and why; undrain puts it back; both idempotent")
    func drainsAndUndrains() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            var response = try await Self.drain(
                client, fixture.operatorKey, "/v1/gpus/box-1/0/drain", #"{"reason":"fan noise, RMA 4411"}"#)
            #expect(response.status == .accepted)
            #expect(response.body.json["drained"] as? Bool == true)
            let drain = try #require(response.body.json["drain"] as? [String: Any])
            #expect(drain["reason"] as? String == "fan noise, RMA 4411")
            #expect((drain["requested_by"] as? String)?.hasPrefix("acme:") == true)
            #expect(drain["immediate"] as? Bool == false)
            let stored = try await fixture.gateway.boxes.drains(box: "box-1")
            #expect(stored.keys.sorted() == [0])
            #expect(stored[0]?.reason == "fan noise, RMA 4411")

            // A second drain keeps the first one's who, when and why.
            response = try await Self.drain(client, fixture.operatorKey, "/v1/gpus/box-1/0/drain", #"{"reason":"again"}"#)
            #expect((response.body.json["drain"] as? [String: Any])?["reason"] as? String == "fan noise, RMA 4411")

            response = try await client.execute(
                uri: "/v1/gpus/box-1/0/drain", method: .delete, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(response.status == .ok)
            #expect(response.body.json["drained"] as? Bool == false)
            #expect(try await fixture.gateway.boxes.drains(box: "box-1").isEmpty)
            response = try await client.execute(
                uri: "/v1/gpus/box-1/0/drain", method: .delete, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(response.status == .ok)
        }
    }

    @Test("drain refusals: submitter 403, unknown box or GPU 404, bad index or reason 422, bad JSON 400; nothing stored")
    func refusesBadDrains() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            var response = try await Self.drain(client, fixture.acme, "/v1/gpus/box-1/0/drain")
            #expect(response.status == .forbidden)
            response = try await client.execute(
                uri: "/v1/gpus/box-1/0/drain", method: .delete, headers: GatewayFixture.auth(fixture.acme))
            #expect(response.status == .forbidden)
            response = try await Self.drain(client, fixture.operatorKey, "/v1/gpus/box-9/0/drain")
            #expect(response.status == .notFound)
            response = try await Self.drain(client, fixture.operatorKey, "/v1/gpus/box-1/7/drain")
            #expect(response.status == .notFound)
            #expect(Self.errorCode(response) == "not_found")
            response = try await Self.drain(client, fixture.operatorKey, "/v1/gpus/box-1/one/drain")
            #expect(response.status == .unprocessableContent)
            #expect((response.body.json["error"] as? [String: Any])?["details"] as? [String: String] == ["field": "index"])
            let long = String(repeating: "x", count: 501)
            response = try await Self.drain(client, fixture.operatorKey, "/v1/gpus/box-1/0/drain", #"{"reason":"\#(long)"}"#)
            #expect(response.status == .unprocessableContent)
            response = try await Self.drain(client, fixture.operatorKey, "/v1/gpus/box-1/0/drain", #"{"reason":"#)
            #expect(response.status == .badRequest)
            #expect(try await fixture.gateway.boxes.drains(box: "box-1").isEmpty)
        }
    }
}
