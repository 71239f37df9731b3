import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

@Suite("Batches API (OpenAI-compatible)")
struct BatchAPITests {
    typealias S = BatchTestSupport

    static let batchKeys: Set<String> = [
        "id", "object", "endpoint", "errors", "input_file_id", "completion_window", "status", "output_file_id",
        "error_file_id", "created_at", "in_progress_at", "expires_at", "finalizing_at", "completed_at", "failed_at",
        "expired_at", "cancelling_at", "cancelled_at", "request_counts", "metadata",
    ]

    @Test("create answers OpenAI's batch object in validating; the coordinator makes one child job per line")
    func createAndChildren() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let fileID = try await S.upload(S.jsonl(count: 5), token: fixture.acme, client: client)
            let batch = try await S.createBatch(
                fileID: fileID, token: fixture.acme, client: client, metadata: #"{"project":"alpha"}"#)
            #expect(Set(batch.keys) == Self.batchKeys)
            let id = try #require(batch["id"] as? String)
            #expect(id.hasPrefix("batch_"))
            #expect(batch["object"] as? String == "batch")
            #expect(batch["status"] as? String == "validating")
            #expect(batch["endpoint"] as? String == "/v1/chat/completions")
            #expect(batch["input_file_id"] as? String == fileID)
            #expect(batch["completion_window"] as? String == "24h")
            #expect(batch["metadata"] as? [String: String] == ["project": "alpha"])
            #expect(batch["errors"] is NSNull)
            #expect(batch["output_file_id"] is NSNull)
            #expect(batch["in_progress_at"] is NSNull)
            let createdAt = try #require(batch["created_at"] as? Int)
            #expect(batch["expires_at"] as? Int == createdAt + 86_400)

            let running = try await S.waitForBatch(id, in: ["in_progress"], token: fixture.acme, client: client)
            #expect((running["request_counts"] as? [String: Int]) == ["total": 5, "completed": 0, "failed": 0])
            #expect(running["in_progress_at"] is Int)

            // Five children in Postgres, of kind llm.batch, with the request as payload.
            let rows = try await fixture.gateway.postgres.withConnection {
                try await $0.query(
                    "SELECT kind, queue, tenant, payload, idempotency_key FROM jobs WHERE parent_batch = $1 ORDER BY idempotency_key",
                    [id])
            }
            #expect(rows.count == 5)
            #expect(rows.allSatisfy { $0["kind"] == "llm.batch" && $0["queue"] == "llm" && $0["tenant"] == "acme" })
            #expect(rows.map { $0["idempotency_key"] } == (0..<5).map { "batch:\(id):req-\($0)" })
            let payload = try #require(rows.first?["payload"].flatMap { JSONValue(parsing: $0) })
            #expect(payload["batch_id"] == .string(id))
            #expect(payload["custom_id"] == .string("req-0"))
            #expect(payload["method"] == .string("POST"))
            #expect(payload["url"] == .string("/v1/chat/completions"))
            #expect(payload["body"]?["model"] == .string("test-model"))
            #expect(try await fixture.gateway.broker.depth(queue: "llm").queued == 5)
        }
    }

    @Test("list is newest first with after/limit paging; get of an unknown batch is a 404")
    func listAndPaging() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let fileID = try await S.upload(S.jsonl(count: 1), token: fixture.acme, client: client)
            var ids: [String] = []
            for _ in 0..<3 {
                ids.append(try #require(try await S.createBatch(fileID: fileID, token: fixture.acme, client: client)["id"] as? String))
            }
            let first = try await client.execute(
                uri: "/v1/batches?limit=2", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(first.status == .ok)
            #expect(first.body.json["object"] as? String == "list")
            let page = (first.body.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(page == [ids[2], ids[1]])
            #expect(first.body.json["has_more"] as? Bool == true)
            #expect(first.body.json["first_id"] as? String == ids[2])
            #expect(first.body.json["last_id"] as? String == ids[1])
            let second = try await client.execute(
                uri: "/v1/batches?limit=2&after=\(ids[1])", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect((second.body.json["data"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String } == [ids[0]])
            #expect(second.body.json["has_more"] as? Bool == false)
            let badLimit = try await client.execute(
                uri: "/v1/batches?limit=0", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(badLimit.status == .unprocessableContent)
            let unknown = try await client.execute(
                uri: "/v1/batches/batch_nope", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(unknown.status == .notFound)
        }
    }

    @Test("another tenant's batch is a 404 for get and cancel, and absent from its list; its file cannot be used")
    func tenantIsolation() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let fileID = try await S.upload(S.jsonl(count: 1), token: fixture.acme, client: client)
            let id = try #require(try await S.createBatch(fileID: fileID, token: fixture.acme, client: client)["id"] as? String)
            let get = try await client.execute(uri: "/v1/batches/\(id)", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect(get.status == .notFound)
            let cancel = try await client.execute(
                uri: "/v1/batches/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.globex))
            #expect(cancel.status == .notFound)
            let list = try await client.execute(uri: "/v1/batches", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect((list.body.json["data"] as? [Any])?.isEmpty == true)
            let borrowed = try await client.execute(
                uri: "/v1/batches", method: .post, headers: GatewayFixture.json(fixture.globex),
                body: ByteBuffer(
                    string: #"{"input_file_id":"\#(fileID)","endpoint":"/v1/chat/completions","completion_window":"24h"}"#))
            #expect(borrowed.status == .notFound)
            #expect(try await S.count(fixture, "SELECT count(*) FROM batches WHERE tenant = 'globex'") == 0)
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        /// `FILE` is replaced by the id of an uploaded batch input file.
        var body: String
        var status: HTTPResponse.Status
        var field: String?
        var testDescription: String { name }
    }

    static let refusals: [Refusal] = [
        Refusal(name: "malformed JSON", body: #"{"input_file_id":"#, status: .badRequest),
        Refusal(
            name: "missing input_file_id", body: #"{"endpoint":"/v1/chat/completions","completion_window":"24h"}"#,
            status: .unprocessableContent, field: "input_file_id"),
        Refusal(
            name: "unsupported endpoint",
            body: #"{"input_file_id":"FILE","endpoint":"/v1/embeddings","completion_window":"24h"}"#,
            status: .unprocessableContent, field: "endpoint"),
        Refusal(
            name: "completion window other than 24h",
            body: #"{"input_file_id":"FILE","endpoint":"/v1/chat/completions","completion_window":"1h"}"#,
            status: .unprocessableContent, field: "completion_window"),
        Refusal(
            name: "metadata with a non-string value",
            body: #"{"input_file_id":"FILE","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"n":1}}"#,
            status: .unprocessableContent, field: "metadata.n"),
        Refusal(
            name: "metadata with 17 keys",
            body: #"{"input_file_id":"FILE","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":{"#
                + (0..<17).map { #""k\#($0)":"v""# }.joined(separator: ",") + "}}",
            status: .unprocessableContent, field: "metadata"),
        Refusal(
            name: "unknown input file",
            body: #"{"input_file_id":"file-unknown","endpoint":"/v1/chat/completions","completion_window":"24h"}"#,
            status: .notFound, field: "input_file_id"),
        Refusal(
            name: "input file of purpose batch_output",
            body: #"{"input_file_id":"OUTPUT","endpoint":"/v1/chat/completions","completion_window":"24h"}"#,
            status: .unprocessableContent, field: "input_file_id"),
    ]

    @Test("refusals answer the right status naming the field and create no batch", arguments: refusals)
    func refusal(_ refusal: Refusal) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let fileID = try await S.upload(S.jsonl(count: 1), token: fixture.acme, client: client)
            _ = try await fixture.gateway.postgres.withConnection {
                try await $0.query(
                    "INSERT INTO files (id, tenant, purpose, filename, bytes, blob_key) VALUES ('file-output', 'acme', 'batch_output', 'o.jsonl', 1, 'files/file-output')")
            }
            let body = refusal.body.replacingOccurrences(of: "FILE", with: fileID)
                .replacingOccurrences(of: "OUTPUT", with: "file-output")
            let response = try await client.execute(
                uri: "/v1/batches", method: .post, headers: GatewayFixture.json(fixture.acme), body: ByteBuffer(string: body))
            #expect(response.status == refusal.status, "\(String(buffer: response.body))")
            let error = try #require(response.body.json["error"] as? [String: Any])
            if let field = refusal.field {
                #expect((error["details"] as? [String: String])?["field"] == field)
            }
            #expect(try await S.count(fixture, "SELECT count(*) FROM batches") == 0)
            #expect(try await S.count(fixture, "SELECT count(*) FROM jobs") == 0)
        }
    }

    @Test("an input file with bad lines fails the batch with OpenAI's errors and line numbers, and creates no child job")
    func validationErrors() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let lines = [
                S.line("ok-1"),
                #"{"custom_id": "broken", "method": "POST""#,
                #"{"method":"POST","url":"/v1/chat/completions","body":{}}"#,
                S.line("ok-1"),
                S.line("wrong-url", url: "/v1/embeddings"),
                #"{"custom_id":"get","method":"GET","url":"/v1/chat/completions","body":{}}"#,
                #"{"custom_id":"nobody","method":"POST","url":"/v1/chat/completions","body":"hello"}"#,
                S.line("ok-2"),
            ]
            let fileID = try await S.upload(Array(lines.joined(separator: "\n").utf8), token: fixture.acme, client: client)
            let id = try #require(try await S.createBatch(fileID: fileID, token: fixture.acme, client: client)["id"] as? String)
            let failed = try await S.waitForBatch(id, in: ["failed", "in_progress"], token: fixture.acme, client: client)
            #expect(failed["status"] as? String == "failed")
            #expect(failed["failed_at"] is Int)
            let errors = try #require(failed["errors"] as? [String: Any])
            #expect(errors["object"] as? String == "list")
            let data = try #require(errors["data"] as? [[String: Any]])
            let reported = data.map { "\($0["line"] as? Int ?? 0) \($0["code"] as? String ?? "") \($0["param"] as? String ?? "-")" }
            #expect(
                reported == [
                    "2 invalid_json_line -", "3 missing_required_parameter custom_id", "4 duplicate_custom_id custom_id",
                    "5 url_mismatch url", "6 invalid_value method", "7 invalid_type body",
                ])
            #expect(data.allSatisfy { !($0["message"] as? String ?? "").isEmpty })
            #expect(try await S.count(fixture, "SELECT count(*) FROM jobs") == 0)
            #expect(try await fixture.gateway.broker.depth(queue: "llm").queued == 0)
        }
    }
}
