import Broker
import CurlClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import TestSupport
import Testing

@testable import Webhooks

/// Webhooks end to end: a job names a receiver on loopback (allowed here), a worker finishes it,
/// the record sync's trigger writes the delivery, the gateway's sender signs and posts it.
@Suite("Webhooks: delivery, retries, refusals")
struct WebhookDeliveryTests {
    static func submit(_ client: some TestClientProtocol, _ key: String, _ json: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(key), body: ByteBuffer(string: json))
    }

    /// Claims the job from `cpu` and ends it: with a result, or failed for good.
    static func finish(_ fixture: GatewayFixture, id: String, fail: Bool = false) async throws {
        let consumer = try await fixture.gateway.broker.makeConsumer(queue: "cpu", workerID: "webhook-test")
        let job = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(10)).first)
        await consumer.close()
        #expect(job.id == id)
        if fail {
            _ = try await fixture.gateway.broker.fail(job.lease, JobFailure(code: "bad_input", message: "no", retriable: false))
        } else {
            try await fixture.gateway.broker.complete(job.lease, result: #"{"ok":true}"#)
        }
    }

    static func deliveries(_ client: some TestClientProtocol, _ key: String, _ id: String) async throws -> [[String: Any]] {
        let response = try await client.execute(uri: "/v1/jobs/\(id)/webhooks", method: .get, headers: GatewayFixture.auth(key))
        return response.body.json["data"] as? [[String: Any]] ?? []
    }

    @Test("job.progress: 25, 50 and 75 % each arrive once, under ids of their own; a webhook without it gets the end only")
    func progressMilestones() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                let accepted = try await Self.submit(
                    client, fixture.acme,
                    #"{"kind":"cpu.task","payload":{},"webhook_url":"\#(url)","webhook_events":["job.progress","job.succeeded"]}"#
                )
                #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
                let id = try #require(accepted.body.json["id"] as? String)
                let plain = try await Self.submit(
                    client, fixture.acme, #"{"kind":"cpu.task","payload":{},"webhook_url":"\#(url)"}"#)
                let plainID = try #require(plain.body.json["id"] as? String)
                let consumer = try await fixture.gateway.broker.makeConsumer(queue: "cpu", workerID: "progress-test")
                var claimed: [ClaimedJob] = []
                try await eventually("both claimed") {
                    claimed += try await consumer.claim(maxJobs: 2, wait: .milliseconds(200))
                    return claimed.count == 2
                }
                await consumer.close()
                for job in claimed {
                    // 30 % and 45 % both stand at 25: one milestone; 99 % stops at 75.
                    for fraction in [0.1, 0.3, 0.45, 0.6, 0.8, 0.99] {
                        _ = try await fixture.gateway.broker.heartbeat(
                            job.lease, progress: JobProgress(fraction: fraction, message: "working", checkpoint: nil))
                    }
                    try await fixture.gateway.broker.complete(job.lease, result: #"{"ok":true}"#)
                }
                try await eventually("three milestones and two ends arrive") { receiver.received.count == 5 }
                try await Task.sleep(for: .milliseconds(500))
                #expect(receiver.received.count == 5)
                var seen: [String] = []
                for message in receiver.received {
                    let body = try #require(try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any])
                    let data = try #require(body["data"] as? [String: Any])
                    let type = body["type"] as? String ?? ""
                    let progress = (data["progress"] as? Double).map { " \($0)" } ?? ""
                    seen.append(
                        "\(data["id"] as? String == id ? "wanted" : data["id"] as? String == plainID ? "plain" : "?") \(type)\(progress)"
                    )
                }
                #expect(
                    Set(seen)
                        == [
                            "wanted job.progress 0.25", "wanted job.progress 0.5", "wanted job.progress 0.75",
                            "wanted job.succeeded", "plain job.succeeded",
                        ], "\(seen)")
                let ids = receiver.received.compactMap { $0.headers["webhook-id"] }
                #expect(Set(ids).count == 5)
            }
        }
    }

    @Test("a finished job's webhook arrives signed with the tenant's secret, in Standard Webhooks' shape, and is recorded")
    func delivered() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let rotated = try await client.execute(
                uri: "/v1/webhooks/secrets", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            #expect(rotated.status == .created)
            let secret = try WebhookSecret(try #require(rotated.body.json["secret"] as? String))
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                let accepted = try await Self.submit(
                    client, fixture.acme, #"{"kind":"cpu.task","payload":{},"webhook_url":"\#(url)"}"#)
                #expect(accepted.status == .accepted)
                let id = try #require(accepted.body.json["id"] as? String)
                try await Self.finish(fixture, id: id)
                try await eventually("the webhook arrives") { receiver.received.count == 1 }
                let message = receiver.received[0]
                try WebhookSigner.verify(
                    id: message.headers["webhook-id"], timestamp: message.headers["webhook-timestamp"],
                    signatures: message.headers["webhook-signature"], body: message.body, secret: secret)
                #expect(message.headers["content-type"] == "application/json")
                let body = try #require(try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any])
                #expect(body["type"] as? String == "job.succeeded")
                let data = try #require(body["data"] as? [String: Any])
                #expect(data["id"] as? String == id && data["status"] as? String == "succeeded")
                #expect((data["result"] as? [String: Any])?["ok"] as? Bool == true)
                try await eventually("the delivery is recorded") {
                    try await Self.deliveries(client, fixture.acme, id).first?["state"] as? String == "delivered"
                }
                let delivery = try #require(try await Self.deliveries(client, fixture.acme, id).first)
                #expect(delivery["id"] as? String == message.headers["webhook-id"])
                let attempts = try #require(delivery["attempts"] as? [[String: Any]])
                #expect(attempts.count == 1 && attempts[0]["status"] as? Int == 200)
                // Another tenant sees no deliveries of this job.
                let other = try await client.execute(
                    uri: "/v1/jobs/\(id)/webhooks", method: .get, headers: GatewayFixture.auth(fixture.globex))
                #expect(other.status == .notFound)
            }
        }
    }

    @Test("500 and 429 with Retry-After are retried with the same webhook-id until a 200; a 400 fails at once")
    func retries() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let receiver = WebhookReceiver(script: [
                .init(status: .internalServerError), .init(status: .tooManyRequests, retryAfter: "1"), .init(status: .ok),
                .init(status: .badRequest),
            ])
            try await receiver.run { url in
                let first = try #require(
                    try await Self.submit(client, fixture.acme, #"{"kind":"cpu.task","webhook_url":"\#(url)"}"#).body.json["id"]
                        as? String)
                try await Self.finish(fixture, id: first)
                try await eventually("delivered on the third attempt") {
                    try await Self.deliveries(client, fixture.acme, first).first?["state"] as? String == "delivered"
                }
                #expect(receiver.received.count == 3)
                #expect(Set(receiver.received.map { $0.headers["webhook-id"] ?? "" }).count == 1, "one id for every attempt")
                let attempts = try #require(
                    try await Self.deliveries(client, fixture.acme, first).first?["attempts"] as? [[String: Any]])
                #expect(attempts.map { $0["status"] as? Int } == [500, 429, 200])
                let metrics = String(
                    buffer: try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme))
                        .body)
                #expect(metrics.contains(#"velocity_webhook_attempts_total{outcome="retried"} 2"#), "\(metrics)")
                #expect(metrics.contains(#"velocity_webhook_attempts_total{outcome="delivered"} 1"#))
                #expect(metrics.contains("velocity_webhook_pending 0"))

                let second = try #require(
                    try await Self.submit(client, fixture.acme, #"{"kind":"cpu.task","webhook_url":"\#(url)"}"#).body.json["id"]
                        as? String)
                try await Self.finish(fixture, id: second, fail: true)
                try await eventually("a 400 fails it") {
                    try await Self.deliveries(client, fixture.acme, second).first?["state"] as? String == "failed"
                }
                let failed = try #require(try await Self.deliveries(client, fixture.acme, second).first)
                #expect(failed["event"] as? String == "job.failed")
                #expect((failed["attempts"] as? [[String: Any]])?.count == 1)
                #expect(receiver.received.count == 4)
            }
        }
    }

    @Test("refused at submit, nothing stored: an internal destination, a non-http URL, an unknown event, events without a URL")
    func refusals() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            for (json, code, field) in [
                (#"{"kind":"cpu.task","webhook_url":"http://127.0.0.1:9/hook"}"#, "webhook_destination_refused", "webhook_url"),
                (
                    #"{"kind":"cpu.task","webhook_url":"http://169.254.169.254/latest"}"#, "webhook_destination_refused",
                    "webhook_url"
                ),
                (#"{"kind":"cpu.task","webhook_url":"ftp://example.com/x"}"#, "webhook_url_invalid", "webhook_url"),
                (
                    #"{"kind":"cpu.task","webhook_url":"https://example.com/x","webhook_events":["job.exploded"]}"#,
                    "invalid_request", "webhook_events"
                ),
                (#"{"kind":"cpu.task","webhook_events":["job.failed"]}"#, "invalid_request", "webhook_events"),
            ] {
                let response = try await Self.submit(client, fixture.acme, json)
                #expect(response.status == .unprocessableContent, "\(json)")
                let error = response.body.json["error"] as? [String: Any]
                #expect(error?["code"] as? String == code, "\(json)")
                #expect((error?["details"] as? [String: String])?["field"] == field, "\(json)")
            }
            #expect(try await fixture.storedSomething().rows == 0)
            // Settings refuse the same, and only an operator may change them.
            let internalDefault = try await client.execute(
                uri: "/v1/webhooks", method: .put, headers: GatewayFixture.json(fixture.operatorKey),
                body: ByteBuffer(string: #"{"url":"http://localhost:9/x"}"#))
            #expect(internalDefault.status == .unprocessableContent)
            let submitter = try await client.execute(
                uri: "/v1/webhooks", method: .put, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"url":"https://example.com/x"}"#))
            #expect(submitter.status == .forbidden)
            let overlap = try await client.execute(
                uri: "/v1/webhooks/secrets", method: .post, headers: GatewayFixture.json(fixture.operatorKey),
                body: ByteBuffer(string: #"{"overlap_seconds":-1}"#))
            #expect(overlap.status == .unprocessableContent)
        }
    }

    @Test("the tenant's default webhook and events apply to jobs that name none; rotation keeps the old secret signing")
    func tenantDefaults() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let old = try await client.execute(
                uri: "/v1/webhooks/secrets", method: .post, headers: GatewayFixture.auth(fixture.operatorKey))
            let oldSecret = try WebhookSecret(try #require(old.body.json["secret"] as? String))
            let new = try await client.execute(
                uri: "/v1/webhooks/secrets", method: .post, headers: GatewayFixture.json(fixture.operatorKey),
                body: ByteBuffer(string: #"{"overlap_seconds":3600}"#))
            let newSecret = try WebhookSecret(try #require(new.body.json["secret"] as? String))
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                let set = try await client.execute(
                    uri: "/v1/webhooks", method: .put, headers: GatewayFixture.json(fixture.operatorKey),
                    body: ByteBuffer(string: #"{"url":"\#(url)","events":["job.failed"]}"#))
                #expect(set.status == .ok)
                let listed = try #require(set.body.json["secrets"] as? [[String: Any]])
                #expect(listed.compactMap { $0["secret"] as? String } == [newSecret.text, oldSecret.text], "newest first")
                #expect(listed[0]["expires_at"] as? String == nil && listed[1]["expires_at"] is String)
                let quiet = try #require(
                    try await Self.submit(client, fixture.acme, #"{"kind":"cpu.task"}"#).body.json["id"] as? String)
                try await Self.finish(fixture, id: quiet)
                let loud = try #require(
                    try await Self.submit(client, fixture.acme, #"{"kind":"cpu.task"}"#).body.json["id"] as? String)
                try await Self.finish(fixture, id: loud, fail: true)
                try await eventually("the failed job's webhook arrives") { receiver.received.count == 1 }
                let message = receiver.received[0]
                let data =
                    (try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any])?["data"] as? [String: Any]
                #expect(data?["id"] as? String == loud)
                // Signed with both secrets while the old one overlaps: either verifies.
                for secret in [oldSecret, newSecret] {
                    try WebhookSigner.verify(
                        id: message.headers["webhook-id"], timestamp: message.headers["webhook-timestamp"],
                        signatures: message.headers["webhook-signature"], body: message.body, secret: secret)
                }
                #expect(try await Self.deliveries(client, fixture.acme, quiet).isEmpty, "job.succeeded was not asked for")
            }
        }
    }

    @Test("a sender that dies after sending leaves the delivery to another, which sends it again under the same id")
    func redeliveryAfterCrash() async throws {
        try await GatewayFixture.withGateway(configure: {
            $0.webhooksEnabled = false
            $0.webhookAllowInternal = true
        }) {
            fixture, client in
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                let id = try #require(
                    try await Self.submit(client, fixture.acme, #"{"kind":"cpu.task","webhook_url":"\#(url)"}"#).body.json["id"]
                        as? String)
                try await Self.finish(fixture, id: id)
                let store = fixture.gateway.webhooks
                var leased: [WebhookDelivery] = []
                try await eventually("the delivery is in the outbox") {
                    leased = try await store.claimDue(limit: 1, lease: .seconds(1))
                    return !leased.isEmpty
                }
                // The dying sender got its request out, then crashed before recording it.
                let secrets = try await store.signingSecrets(tenant: "acme")
                let body = Array(#"{"type":"job.succeeded"}"#.utf8)
                let now = Int(Date().timeIntervalSince1970)
                _ = try await CurlHTTPClient.withClient { http in
                    try await http.execute(
                        .bytes(
                            "POST", url, body, contentType: "application/json",
                            headers: [
                                "webhook-id": leased[0].id, "webhook-timestamp": String(now),
                                "webhook-signature": WebhookSigner.header(
                                    id: leased[0].id, timestamp: now, body: body, secrets: secrets),
                            ]))
                }
                // Another sender takes it once the lease has run out.
                try await Self.withSender(fixture, configure: { _ in }) {
                    try await eventually("delivered by the second sender") {
                        try await Self.deliveries(client, fixture.acme, id).first?["state"] as? String == "delivered"
                    }
                }
                #expect(receiver.received.count == 2)
                #expect(receiver.received.map { $0.headers["webhook-id"] } == [leased[0].id, leased[0].id])
                let attempts = try #require(
                    try await Self.deliveries(client, fixture.acme, id).first?["attempts"] as? [[String: Any]])
                #expect(
                    attempts.map { $0["attempt"] as? Int } == [2], "the crashed attempt left no record; the next is attempt 2")
            }
        }
    }

    @Test("a Dream Weaver upload may name a webhook: the render's end arrives there; a bad one is refused, nothing stored")
    func dreamWeaver() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                var body = MultipartBody.dreamWeaver(image: ImageSamples.png(width: 24, height: 16))
                body.field("webhook_url", url)
                let accepted = try await client.execute(
                    uri: "/dream-weaver", method: .post, headers: GatewayFixture.multipart(fixture.acme, body), body: body.buffer)
                #expect(accepted.status == .accepted)
                let id = try #require(accepted.body.json["job_id"] as? String)
                let consumer = try await fixture.gateway.broker.makeConsumer(queue: "media", workerID: "webhook-test")
                let job = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(10)).first)
                await consumer.close()
                try await fixture.gateway.broker.complete(job.lease, result: #"{"output_blob":"dream-weaver/\#(id)/output.png"}"#)
                try await eventually("the render's webhook arrives") { receiver.received.count == 1 }
                let data =
                    (try JSONSerialization.jsonObject(with: Data(receiver.received[0].body)) as? [String: Any])?["data"]
                    as? [String: Any]
                #expect(data?["id"] as? String == id && data?["kind"] as? String == "dream_weaver.render")

                var refused = MultipartBody.dreamWeaver(image: ImageSamples.png(width: 24, height: 16))
                refused.field("webhook_url", "gopher://example.com/x")
                let before = try await fixture.storedSomething()
                let answer = try await client.execute(
                    uri: "/dream-weaver", method: .post, headers: GatewayFixture.multipart(fixture.acme, refused),
                    body: refused.buffer)
                #expect(answer.status == .unprocessableContent)
                #expect((answer.body.json["error"] as? [String: Any])?["code"] as? String == "webhook_url_invalid")
                let after = try await fixture.storedSomething()
                #expect(after.rows == before.rows && after.blobs == before.blobs)
            }
        }
    }
}
