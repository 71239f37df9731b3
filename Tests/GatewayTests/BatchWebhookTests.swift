import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing
import Webhooks

/// An OpenAI batch's end pushed as a signed webhook: `batch.completed`, `batch.failed`,
/// `batch.expired`, `batch.cancelled`, its `data` the batch object as it ended.
@Suite("Webhooks of OpenAI batches", .serialized)
struct BatchWebhookTests {
    static func create(
        _ client: some TestClientProtocol, _ key: String, fileID: String, webhook: String
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/batches", method: .post, headers: GatewayFixture.json(key),
            body: ByteBuffer(
                string:
                    #"{"input_file_id":"\#(fileID)","endpoint":"/v1/chat/completions","completion_window":"24h"\#(webhook)}"#))
    }

    /// An object with its null members left out, for comparing JSON from two writers.
    static func withoutNulls(_ value: Any) -> Any {
        if let object = value as? [String: Any] {
            return object.filter { !($0.value is NSNull) }.mapValues(withoutNulls)
        }
        if let array = value as? [Any] { return array.map(withoutNulls) }
        return value
    }

    @Test("a completed batch's webhook arrives signed, its data the batch object GET /v1/batches/{id} shows; recorded")
    func completed() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                let fileID = try await BatchTestSupport.upload(
                    BatchTestSupport.jsonl(count: 3), token: fixture.acme, client: client)
                let created = try await Self.create(client, fixture.acme, fileID: fileID, webhook: #","webhook_url":"\#(url)""#)
                #expect(created.status == .ok, "\(String(buffer: created.body))")
                let id = try #require(created.body.json["id"] as? String)
                try await BatchTestSupport.work(fixture.gateway, count: 3, failing: ["req-1"])
                let ended = try await BatchTestSupport.waitForBatch(id, in: ["completed"], token: fixture.acme, client: client)
                try await eventually("the webhook arrives") { receiver.received.count == 1 }
                let message = receiver.received[0]
                let secrets = try await fixture.gateway.webhooks.signingSecrets(tenant: "acme")
                try WebhookSigner.verify(
                    id: message.headers["webhook-id"], timestamp: message.headers["webhook-timestamp"],
                    signatures: message.headers["webhook-signature"], body: message.body, secret: secrets[0])
                #expect(message.headers["webhook-id"] == "msg_\(id)_completed")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any])
                #expect(body["type"] as? String == "batch.completed")
                let data = try #require(body["data"] as? [String: Any])
                #expect(
                    NSDictionary(dictionary: Self.withoutNulls(data) as! [String: Any]).isEqual(
                        to: Self.withoutNulls(ended) as! [String: Any]))
                #expect((data["request_counts"] as? [String: Int]) == ["total": 3, "completed": 2, "failed": 1])

                try await eventually("the delivery is recorded") {
                    let list = try await client.execute(
                        uri: "/v1/batches/\(id)/webhooks", method: .get, headers: GatewayFixture.auth(fixture.acme))
                    return ((list.body.json["data"] as? [[String: Any]])?.first?["state"] as? String) == "delivered"
                }
                let other = try await client.execute(
                    uri: "/v1/batches/\(id)/webhooks", method: .get, headers: GatewayFixture.auth(fixture.globex))
                #expect(other.status == .notFound)
            }
        }
    }

    @Test(
        "only the events asked for: a batch failing validation sends batch.failed with its errors; one asking for failures only sends nothing on success"
    )
    func events() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                let failuresOnly = #","webhook_url":"\#(url)","webhook_events":["batch.failed","batch.expired"]"#
                let bad = try await BatchTestSupport.upload(
                    Array("{\"custom_id\":\"x\"}\n".utf8), token: fixture.acme, client: client)
                let failing = try #require(
                    try await Self.create(client, fixture.acme, fileID: bad, webhook: failuresOnly).body.json["id"] as? String)
                _ = try await BatchTestSupport.waitForBatch(failing, in: ["failed"], token: fixture.acme, client: client)
                let good = try await BatchTestSupport.upload(
                    BatchTestSupport.jsonl(count: 1), token: fixture.acme, client: client)
                let succeeding = try #require(
                    try await Self.create(client, fixture.acme, fileID: good, webhook: failuresOnly).body.json["id"] as? String)
                try await BatchTestSupport.work(fixture.gateway, count: 1)
                _ = try await BatchTestSupport.waitForBatch(succeeding, in: ["completed"], token: fixture.acme, client: client)
                try await eventually("the failure's webhook arrives") { receiver.received.count >= 1 }
                try await Task.sleep(for: .milliseconds(600))
                #expect(receiver.received.count == 1)
                let body = try #require(try JSONSerialization.jsonObject(with: Data(receiver.received[0].body)) as? [String: Any])
                #expect(body["type"] as? String == "batch.failed")
                let errors = ((body["data"] as? [String: Any])?["errors"] as? [String: Any])?["data"] as? [[String: Any]]
                #expect(errors?.isEmpty == false)
            }
        }
    }

    @Test("a tenant's default webhook serves its batches for the batch events it names")
    func tenantDefault() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                let set = try await client.execute(
                    uri: "/v1/webhooks", method: .put, headers: GatewayFixture.json(fixture.operatorKey),
                    body: ByteBuffer(string: #"{"url":"\#(url)","events":["job.dead","batch.completed"]}"#))
                #expect(set.status == .ok, "\(String(buffer: set.body))")
                let fileID = try await BatchTestSupport.upload(
                    BatchTestSupport.jsonl(count: 1), token: fixture.acme, client: client)
                let id = try #require(
                    try await Self.create(client, fixture.acme, fileID: fileID, webhook: "").body.json["id"] as? String)
                try await BatchTestSupport.work(fixture.gateway, count: 1)
                _ = try await BatchTestSupport.waitForBatch(id, in: ["completed"], token: fixture.acme, client: client)
                try await eventually("the webhook arrives") { receiver.received.count == 1 }
                #expect(receiver.received[0].headers["webhook-id"] == "msg_\(id)_completed")
            }
        }
    }

    @Test(
        "refusals name the field and make no batch",
        arguments: [
            (#","webhook_url":"http://127.0.0.1:9/x""#, "webhook_url"),
            (#","webhook_url":"ftp://example.com/x""#, "webhook_url"),
            (#","webhook_url":"https://example.com/x","webhook_events":["job.succeeded"]"#, "webhook_events"),
            (#","webhook_url":"https://example.com/x","webhook_events":[]"#, "webhook_events"),
            (#","webhook_events":["batch.completed"]"#, "webhook_events"),
        ])
    func refusals(webhook: String, field: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let fileID = try await BatchTestSupport.upload(BatchTestSupport.jsonl(count: 1), token: fixture.acme, client: client)
            let response = try await Self.create(client, fixture.acme, fileID: fileID, webhook: webhook)
            #expect(response.status == .unprocessableContent, "\(String(buffer: response.body))")
            #expect(((response.body.json["error"] as? [String: Any])?["details"] as? [String: String])?["field"] == field)
            let count = try await fixture.gateway.postgres.withConnection { try await $0.query("SELECT count(*) FROM batches") }
            #expect(count.rows.first?[0] == "0")
        }
    }
}
