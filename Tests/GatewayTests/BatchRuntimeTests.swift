import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

@Suite("Runtime LLM batch routes")
struct BatchRuntimeTests {
    typealias S = BatchTestSupport

    static func body(count: Int, failing: Int? = nil) -> ByteBuffer {
        let requests = (0..<count).map { n in
            #"{"custom_id":"c\#(n)","messages":[{"role":"user","content":"prompt \#(n)"}],"max_tokens":32,"temperature":0.2}"#
        }
        return ByteBuffer(
            string: #"{"model":"qwen-test","requests":[\#(requests.joined(separator: ","))],"metadata":{"run":"r1","n":3}}"#)
    }

    @Test("submit answers 202 with urls; status; results are 409 until completed, then in input order")
    func submitStatusResults() async throws {
        try await GatewayFixture.withGateway(configure: { $0.rateLimitPerSecond = 0 }) { fixture, client in
            let accepted = try await client.execute(
                uri: "/api/runtime/llm/batch", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: Self.body(count: 6))
            #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
            let id = try #require(accepted.body.json["job_id"] as? String)
            #expect(id.hasPrefix("batch_"))
            #expect(accepted.body.json["status"] as? String == "validating")
            #expect(accepted.body.json["status_url"] as? String == "/api/runtime/llm/jobs/\(id)")
            #expect(accepted.body.json["results_url"] as? String == "/api/runtime/llm/jobs/\(id)/results")

            // The same batch on the OpenAI side, over a JSONL file the gateway wrote.
            let batch = try await S.waitForBatch(id, in: ["in_progress"], token: fixture.acme, client: client)
            #expect((batch["metadata"] as? [String: Any])?["run"] as? String == "r1")
            let input = try await client.execute(
                uri: "/v1/files/\(try #require(batch["input_file_id"] as? String))/content", method: .get,
                headers: GatewayFixture.auth(fixture.acme))
            let first = try #require(S.lines(input.body).first)
            #expect(first["custom_id"] as? String == "c0")
            #expect(first["url"] as? String == "/v1/chat/completions")
            let requestBody = try #require(first["body"] as? [String: Any])
            #expect(requestBody["model"] as? String == "qwen-test")
            #expect(requestBody["max_tokens"] as? Int == 32)
            #expect(requestBody["temperature"] as? Double == 0.2)

            let status = try await client.execute(
                uri: "/api/runtime/llm/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(status.status == .ok)
            #expect(status.body.json["job_id"] as? String == id)
            #expect(status.body.json["status"] as? String == "in_progress")
            #expect((status.body.json["request_counts"] as? [String: Int])?["total"] == 6)
            #expect(status.body.json["created_at"] is String)
            #expect(status.body.json["completed_at"] is NSNull)

            let early = try await client.execute(
                uri: "/api/runtime/llm/jobs/\(id)/results", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(early.status == .conflict)
            #expect(early.body.json["status"] as? String == "in_progress")
            #expect((early.body.json["error"] as? [String: Any])?["code"] as? String == "batch_not_finished")

            try await S.work(fixture.gateway, count: 6, failing: ["c4"])
            _ = try await S.waitForBatch(id, in: ["completed"], token: fixture.acme, client: client)
            let done = try await client.execute(
                uri: "/api/runtime/llm/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(done.body.json["completed_at"] is String)
            #expect((done.body.json["request_counts"] as? [String: Int]) == ["total": 6, "completed": 5, "failed": 1])

            let results = try await client.execute(
                uri: "/api/runtime/llm/jobs/\(id)/results", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(results.status == .ok)
            #expect(results.body.json["status"] as? String == "completed")
            let items = try #require(results.body.json["results"] as? [[String: Any]])
            #expect(items.compactMap { $0["custom_id"] as? String } == (0..<6).map { "c\($0)" })
            for item in items where item["custom_id"] as? String != "c4" {
                #expect(item["status_code"] as? Int == 200)
                #expect(item["error"] is NSNull)
                let choices = (item["body"] as? [String: Any])?["choices"] as? [[String: Any]]
                let content = (choices?.first?["message"] as? [String: Any])?["content"] as? String
                #expect(content == "echo: prompt \((item["custom_id"] as? String ?? "").dropFirst())")
            }
            let failed = try #require(items.first { $0["custom_id"] as? String == "c4" })
            #expect(failed["status_code"] is NSNull)
            #expect(failed["body"] is NSNull)
            #expect((failed["error"] as? [String: Any])?["code"] as? String == "model_error")
        }
    }

    @Test("another tenant's runtime job is a 404")
    func tenantIsolation() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/api/runtime/llm/batch", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: Self.body(count: 1))
            let id = try #require(accepted.body.json["job_id"] as? String)
            for uri in ["/api/runtime/llm/jobs/\(id)", "/api/runtime/llm/jobs/\(id)/results"] {
                let response = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.globex))
                #expect(response.status == .notFound, "\(uri)")
            }
        }
    }

    struct Refusal: Sendable, CustomTestStringConvertible {
        var name: String
        var body: String
        var status: HTTPResponse.Status
        var field: String?
        var testDescription: String { name }
    }

    static let message = #"[{"role":"user","content":"hi"}]"#
    static let refusals: [Refusal] = [
        Refusal(name: "malformed JSON", body: #"{"model":"m","requests":["#, status: .badRequest),
        Refusal(name: "missing model", body: #"{"requests":[{"custom_id":"a","messages":\#(message)}]}"#, status: .unprocessableContent, field: "model"),
        Refusal(name: "empty model", body: #"{"model":" ","requests":[{"custom_id":"a","messages":\#(message)}]}"#, status: .unprocessableContent, field: "model"),
        Refusal(name: "no requests", body: #"{"model":"m","requests":[]}"#, status: .unprocessableContent, field: "requests"),
        Refusal(
            name: "missing custom_id",
            body: #"{"model":"m","requests":[{"custom_id":"a","messages":\#(message)},{"messages":\#(message)}]}"#,
            status: .unprocessableContent, field: "requests[1].custom_id"),
        Refusal(
            name: "duplicate custom_id",
            body: #"{"model":"m","requests":[{"custom_id":"a","messages":\#(message)},{"custom_id":"b","messages":\#(message)},{"custom_id":"c","messages":\#(message)},{"custom_id":"a","messages":\#(message)}]}"#,
            status: .unprocessableContent, field: "requests[3].custom_id"),
        Refusal(
            name: "empty messages", body: #"{"model":"m","requests":[{"custom_id":"a","messages":[]}]}"#,
            status: .unprocessableContent, field: "requests[0].messages"),
        Refusal(
            name: "message without role", body: #"{"model":"m","requests":[{"custom_id":"a","messages":[{"content":"x"}]}]}"#,
            status: .unprocessableContent, field: "requests[0].messages[0].role"),
        Refusal(
            name: "max_tokens 0", body: #"{"model":"m","requests":[{"custom_id":"a","messages":\#(message),"max_tokens":0}]}"#,
            status: .unprocessableContent, field: "requests[0].max_tokens"),
        Refusal(
            name: "temperature 3", body: #"{"model":"m","requests":[{"custom_id":"a","messages":\#(message),"temperature":3}]}"#,
            status: .unprocessableContent, field: "requests[0].temperature"),
        Refusal(
            name: "temperature a string",
            body: #"{"model":"m","requests":[{"custom_id":"a","messages":\#(message),"temperature":"hot"}]}"#,
            status: .unprocessableContent, field: "requests[0].temperature"),
    ]

    @Test("refusals name the field and store nothing", arguments: refusals)
    func refusal(_ refusal: Refusal) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(
                uri: "/api/runtime/llm/batch", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: refusal.body))
            #expect(response.status == refusal.status, "\(String(buffer: response.body))")
            let error = try #require(response.body.json["error"] as? [String: Any])
            if let field = refusal.field {
                #expect((error["details"] as? [String: String])?["field"] == field)
            }
            try await S.assertNothingStored(fixture)
        }
    }

    @Test("a body larger than the upload limit is a 413 and stores nothing")
    func tooLarge() async throws {
        try await GatewayFixture.withGateway(configure: { $0.maxUploadBytes = 2_000 }) { fixture, client in
            let response = try await client.execute(
                uri: "/api/runtime/llm/batch", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: Self.body(count: 40))
            #expect(response.status == .contentTooLarge)
            try await S.assertNothingStored(fixture)
        }
    }
}
