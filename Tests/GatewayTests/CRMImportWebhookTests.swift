import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import PlatformStore
import TestSupport
import Testing
import Webhooks

/// A CRM import's steps pushed as signed webhooks: in review (a person is needed), committed.
@Suite("Webhooks of CRM imports", .serialized)
struct CRMImportWebhookTests {
    typealias S = CRMImportSupport

    @Test("an import with a webhook_url reports crm_import.in_review, then crm_import.committed, each once, signed")
    func steps() async throws {
        try await GatewayFixture.withGateway(configure: { $0.webhookAllowInternal = true }) { fixture, client in
            let receiver = WebhookReceiver()
            try await receiver.run { url in
                let uploaded = try await S.upload(
                    client, token: fixture.acme, file: try S.fixture("homemade_leads.csv"),
                    fields: [("webhook_url", url), ("webhook_events", "crm_import.in_review, crm_import.committed")])
                #expect(uploaded.status == .accepted, "\(String(buffer: uploaded.body))")
                let id = try #require(uploaded.body.json["id"] as? String)
                try await S.run(.ingest, id, fixture)
                try await eventually("in_review arrives") { receiver.received.count == 1 }
                _ = try await S.review(client, fixture.operatorKey, id, #"{"bulk":[{"decision":"approve","where":{}}]}"#)
                let store = CRMImportStore(postgres: fixture.gateway.postgres)
                try await store.beginCommit(batchID: id, tenant: "acme")
                try await S.run(.commit, id, fixture)
                try await eventually("committed arrives") { receiver.received.count == 2 }
                let secrets = try await fixture.gateway.webhooks.signingSecrets(tenant: "acme")
                var types: [String] = []
                for message in receiver.received {
                    try WebhookSigner.verify(
                        id: message.headers["webhook-id"], timestamp: message.headers["webhook-timestamp"],
                        signatures: message.headers["webhook-signature"], body: message.body, secret: secrets[0])
                    let body = try #require(try JSONSerialization.jsonObject(with: Data(message.body)) as? [String: Any])
                    types.append(body["type"] as? String ?? "")
                    let data = try #require(body["data"] as? [String: Any])
                    #expect(data["id"] as? String == id)
                    #expect((data["urls"] as? [String: String])?["review"] == "/api/crm/imports/\(id)/review-proposal")
                }
                #expect(types == ["crm_import.in_review", "crm_import.committed"])
                let last = try #require(try JSONSerialization.jsonObject(with: Data(receiver.received[1].body)) as? [String: Any])
                #expect(((last["data"] as? [String: Any])?["committed"] as? Int ?? 0) > 0)
                try await eventually("both recorded delivered") {
                    let list = try await client.execute(
                        uri: "/api/crm/imports/\(id)/webhooks", method: .get, headers: GatewayFixture.auth(fixture.acme))
                    let data = list.body.json["data"] as? [[String: Any]] ?? []
                    return data.count == 2 && data.allSatisfy { $0["state"] as? String == "delivered" }
                }
                let other = try await client.execute(
                    uri: "/api/crm/imports/\(id)/webhooks", method: .get, headers: GatewayFixture.auth(fixture.globex))
                #expect(other.status == .notFound)
            }
        }
    }

    @Test(
        "bad webhook fields are refused naming the field, and no batch is made",
        arguments: [
            ([("webhook_url", "http://127.0.0.1:9/x")], "webhook_url"),
            ([("webhook_url", "https://example.com/x"), ("webhook_events", "batch.completed")], "webhook_events"),
            ([("webhook_events", "crm_import.committed")], "webhook_events"),
        ])
    func refusals(fields: [(String, String)], field: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await S.upload(
                client, token: fixture.acme, file: try S.fixture("homemade_leads.csv"), fields: fields)
            #expect(response.status == .unprocessableContent, "\(String(buffer: response.body))")
            #expect(((response.body.json["error"] as? [String: Any])?["details"] as? [String: String])?["field"] == field)
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_import_batches") == 0)
        }
    }
}
