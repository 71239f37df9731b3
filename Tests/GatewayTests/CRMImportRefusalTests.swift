import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import PlatformStore
import Testing
@testable import Workers

/// Every refusal of the CRM import routes: a clear JSON error, and nothing stored.
@Suite("CRM import refusals")
struct CRMImportRefusalTests {
    typealias S = CRMImportSupport

    static func code(_ response: TestResponse) -> String? {
        (response.body.json["error"] as? [String: Any])?["code"] as? String
    }

    @Test(
        "uploads that are not a usable CSV are refused and store nothing",
        arguments: [
            ("", HTTPResponse.Status.unprocessableContent, "empty_file"),
            ("\u{FEFF}", .unprocessableContent, "empty_file"),
            ("Name,Mobile,Email\r\n", .unprocessableContent, "header_only"),
            ("Name,Mobile,Email\n\n\n", .unprocessableContent, "header_only"),
            ("Name,Mobile,mobile\nA,1,2\n", .unprocessableContent, "duplicate_headers"),
            ("\u{89}PNG\r\n\u{1A}\n0000", .unsupportedMediaType, "not_csv"),
            ("PK\u{03}\u{04}xlsx", .unsupportedMediaType, "not_csv"),
            ("%PDF-1.7\n", .unsupportedMediaType, "not_csv"),
            ("Name,Mobile\nA\u{0}B,1\n", .unsupportedMediaType, "not_csv"),
        ])
    func unusableFiles(content: String, status: HTTPResponse.Status, code: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let bytes: [UInt8] = content.unicodeScalars.map { $0.value < 256 ? UInt8($0.value) : 0x3F }
            let file = content == "\u{FEFF}" ? [0xEF, 0xBB, 0xBF] : bytes
            let response = try await S.upload(client, token: fixture.acme, file: file)
            // An empty file part is refused by the multipart reader before the CSV rules.
            if file.isEmpty {
                #expect(response.status == .unprocessableContent)
            } else {
                #expect(response.status == status)
                #expect(Self.code(response) == code)
            }
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_import_batches") == 0)
            #expect(try await fixture.gateway.broker.depth(queue: "cpu").queued == 0)
        }
    }

    @Test("more rows than the row limit (413 too_many_rows) or bytes than the size limit (413) store nothing")
    func limits() async throws {
        try await GatewayFixture.withGateway(configure: { $0.crmMaxRows = 5; $0.crmMaxUploadBytes = 4_096 }) {
            fixture, client in
            let rows = "Name,Mobile\n" + (1...6).map { "Person \($0),98765432\($0 + 10)\n" }.joined()
            let tooMany = try await S.upload(client, token: fixture.acme, file: Array(rows.utf8))
            #expect(tooMany.status == .contentTooLarge)
            #expect(Self.code(tooMany) == "too_many_rows")
            let big = "Name,Notes\n" + "A,\(String(repeating: "x", count: 5_000))\n"
            let tooBig = try await S.upload(client, token: fixture.acme, file: Array(big.utf8))
            #expect(tooBig.status == .contentTooLarge)
            #expect(Self.code(tooBig) == "body_too_large")
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_import_batches") == 0)
        }
    }

    @Test(
        "bad upload options are 422 naming the field",
        arguments: [("source_profile", "pipedrive"), ("default_region", "XX"), ("auto_approve", "everything")])
    func badOptions(field: String, value: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await S.upload(
                client, token: fixture.acme, file: Array("Name,Mobile\nA,9876543210\n".utf8), fields: [(field, value)])
            #expect(response.status == .unprocessableContent)
            #expect(((response.body.json["error"] as? [String: Any])?["details"] as? [String: String])?["field"] == field)
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_import_batches") == 0)
        }
    }

    @Test("broken rows are recorded with their issues, never fatal; the error report neutralizes formulas")
    func brokenRows() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let long = String(repeating: "n", count: 10_000)
            let csv =
                "Client Name,Mobile,Email ID,Remarks\r\n"
                + "Asha Rao,98450 12345,asha@example.com,\"multi\r\nline \"\"quoted\"\" note\"\r\n"
                + "Ragged Row,98450 12346\r\n"
                + "Long Cell,98450 12347,long@example.com,\(long)\r\n"
                + "=HYPERLINK(\"http://x\"),12345,not-an-email,@SUM(1)\r\n"
                + "Jos\u{E9} D'Souza,+44 7911 123456,jose@example.co.uk,ok\r\n"
            let bytes = Array(csv.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) })  // Windows-1252
            let uploaded = try await S.upload(client, token: fixture.acme, file: bytes)
            #expect(uploaded.status == .accepted)
            #expect(uploaded.body.json["encoding"] as? String == "windows-1252")
            #expect(uploaded.body.json["row_count"] as? Int == 5)
            let id = try #require(uploaded.body.json["id"] as? String)
            let batch = try await S.run(.ingest, id, fixture)
            #expect(batch.status == .inReview)
            #expect(batch.rowsRead == 5)
            #expect(batch.rowsWithErrors == 2)  // the ragged row, and the stray quotes of the unquoted formula
            let store = CRMImportStore(postgres: fixture.gateway.postgres)
            let rows = try await store.rows(batchID: id, afterRow: 0, limit: 10)
            #expect(rows[0].cells[3] == "multi\r\nline \"quoted\" note")
            #expect(rows[2].cells[3].count == 10_000)
            #expect(rows[4].cells[0] == "José D'Souza")
            let report = try await client.execute(
                uri: "/api/crm/imports/\(id)/errors", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(report.status == .ok)
            let text = String(buffer: report.body)
            #expect(text.contains("ragged_row"))
            #expect(text.contains("stray_quote"))
            #expect(text.contains("'=HYPERLINK"))
            #expect(text.contains("'@SUM(1)"))
            #expect(!text.contains(",=HYPERLINK"))
        }
    }

    @Test("another tenant's batch is 404 everywhere; reviewing needs the reviewer role")
    func tenancyAndRoles() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let uploaded = try await S.upload(client, token: fixture.acme, file: try S.fixture("salesforce_leads.csv"))
            let id = try #require(uploaded.body.json["id"] as? String)
            for (method, path) in [
                (HTTPRequest.Method.get, ""), (.get, "/errors"), (.post, "/commit"),
            ] {
                let response = try await client.execute(
                    uri: "/api/crm/imports/\(id)\(path)", method: method, headers: GatewayFixture.auth(fixture.globex))
                #expect(response.status == (method == .post ? .forbidden : .notFound))
            }
            let globexReviewer = try await fixture.gateway.keys.create(tenant: "globex", role: .reviewer).token
            let review = try await S.review(client, globexReviewer, id, #"{"bulk":[{"decision":"approve","where":{}}]}"#)
            #expect(review.status == .notFound)
            let commit = try await S.commit(client, globexReviewer, id)
            #expect(commit.status == .notFound)
            let list = try await client.execute(uri: "/api/crm/imports", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect((list.body.json["data"] as? [Any])?.isEmpty == true)
            let submitterCommit = try await S.commit(client, fixture.acme, id)
            #expect(submitterCommit.status == .forbidden)
        }
    }

    @Test("platform JWT roles: a junior broker may not review, a senior broker may; a reviewer key may not switch modes")
    func platformRoles() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let uploaded = try await S.upload(client, token: fixture.acme, file: try S.fixture("homemade_leads.csv"))
            let id = try #require(uploaded.body.json["id"] as? String)
            try await S.run(.ingest, id, fixture)
            let rule = #"{"bulk":[{"decision":"approve","where":{"entity_type":"account"}}]}"#
            let junior = try await AuthTests.token(role: "JUNIOR_BROKER")
            let refused = try await S.review(client, junior, id, rule)
            #expect(refused.status == .forbidden)
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_import_decisions") == 0)
            let senior = try await AuthTests.token(role: "SENIOR_BROKER")
            #expect(try await S.review(client, senior, id, rule).status == .ok)
            let reviewer = try await fixture.gateway.keys.create(tenant: "acme", role: .reviewer).token
            let mode = try await client.execute(
                uri: "/v1/ops/mode", method: .post, headers: GatewayFixture.json(reviewer),
                body: ByteBuffer(string: #"{"mode":"llm"}"#))
            #expect(mode.status == .forbidden)
        }
    }

    @Test("review refusals: commit before review, a proposal of another batch, a bad rule or edit; nothing recorded")
    func reviewRefusals() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let first = try await S.upload(client, token: fixture.acme, file: try S.fixture("hubspot_contacts.csv"))
            let second = try await S.upload(client, token: fixture.acme, file: try S.fixture("zoho_leads.csv"))
            let a = try #require(first.body.json["id"] as? String)
            let b = try #require(second.body.json["id"] as? String)
            // Before its proposals are ready a batch takes no review and no commit.
            let early = try await S.commit(client, fixture.operatorKey, a)
            #expect(early.status == .conflict)
            try await S.run(.ingest, a, fixture)
            try await S.run(.ingest, b, fixture)
            let beforeReview = try await S.commit(client, fixture.operatorKey, a)
            #expect(beforeReview.status == .conflict)
            #expect(Self.code(beforeReview) == "batch_not_ready")

            let otherProposal = try #require(S.proposals(try await S.get(client, fixture.acme, b)).first?["id"] as? String)
            let person = try #require(
                S.proposals(try await S.get(client, fixture.acme, a, query: "?entity_type=person")).first?["id"] as? String)
            let cases: [(String, Int, String?)] = [
                (#"{"decisions":[{"proposal_id":"\#(otherProposal)","decision":"approve"}]}"#, 422, "proposal_not_in_batch"),
                (#"{"decisions":[{"proposal_id":"\#(person)","decision":"approve"},{"proposal_id":"\#(otherProposal)","decision":"reject"}]}"#, 422, "proposal_not_in_batch"),
                (#"{"decisions":[{"proposal_id":"\#(person)","decision":"merge","merge_target":"\#(UUID().uuidString)"}]}"#, 422, "unknown_merge_target"),
                (#"{"decisions":[{"proposal_id":"\#(person)","decision":"edit","canonical_payload":{"primary_phone":"12"}}]}"#, 422, "invalid_request"),
                (#"{"decisions":[{"proposal_id":"\#(person)","decision":"edit","canonical_payload":{"project":"X"}}]}"#, 422, "invalid_request"),
                (#"{"decisions":[{"proposal_id":"\#(person)","decision":"maybe"}]}"#, 422, "invalid_request"),
                (#"{"decisions":[{"proposal_id":"\#(person)","decision":"approve"},{"proposal_id":"\#(person)","decision":"reject"}]}"#, 422, "invalid_request"),
                (#"{"bulk":[{"decision":"approve","where":{"min_confidance":0.9}}]}"#, 422, "invalid_request"),
                (#"{"bulk":[{"decision":"approve","where":{"min_confidence":7}}]}"#, 422, "invalid_request"),
                (#"{"mapping_edits":[{"column":"Nope","field":"phone"}]}"#, 422, nil),
                (#"{"mapping_edits":[{"column":0,"field":"phone"}],"decisions":[{"proposal_id":"\#(person)","decision":"approve"}]}"#, 422, "invalid_request"),
                (#"{}"#, 422, "invalid_request"),
                (#"{"decisions":"#, 400, "malformed_json"),
            ]
            for (body, status, code) in cases {
                let response = try await S.review(client, fixture.operatorKey, a, body)
                #expect(Int(response.status.code) == status, "\(body)")
                if let code { #expect(Self.code(response) == code, "\(body)") }
            }
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_import_decisions") == 0)
            #expect(
                try await S.count(
                    fixture, "SELECT count(*) FROM crm_import_proposals WHERE status <> 'pending'") == 0)
        }
    }
}
