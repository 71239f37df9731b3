import Broker
import Foundation
@testable import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

/// Building blocks of the files and batches tests: multipart bodies, JSONL inputs, a stand-in
/// for the GPU workers that answers `llm.batch` jobs, and polling a batch's status.
enum BatchTestSupport {
    static let boundary = "vj-test-boundary-7MA4YWxkTrZu0gW"

    /// A `multipart/form-data` body with text fields and an optional file part.
    static func multipart(
        fields: [(String, String)] = [("purpose", "batch")], file: [UInt8]?, filename: String = "input.jsonl",
        fileField: String = "file", truncated: Bool = false
    ) -> ByteBuffer {
        var body = ""
        for (name, value) in fields {
            body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n"
        }
        var bytes = Array(body.utf8)
        if let file {
            bytes += Array(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(fileField)\"; filename=\"\(filename)\"\r\nContent-Type: application/jsonl\r\n\r\n"
                    .utf8)
            bytes += file
            if truncated { return ByteBuffer(bytes: bytes) }
            bytes += Array("\r\n".utf8)
        }
        bytes += Array("--\(boundary)--\r\n".utf8)
        return ByteBuffer(bytes: bytes)
    }

    static func multipartHeaders(_ token: String) -> HTTPFields {
        GatewayFixture.auth(token, [.contentType: "multipart/form-data; boundary=\(boundary)"])
    }

    /// One OpenAI batch input line for chat completions.
    static func line(_ customID: String, prompt: String? = nil, url: String = "/v1/chat/completions") -> String {
        let content = prompt ?? "say \(customID)"
        return #"{"custom_id":"\#(customID)","method":"POST","url":"\#(url)","body":{"model":"test-model","messages":[{"role":"user","content":"\#(content)"}],"max_tokens":16}}"#
    }

    static func jsonl(count: Int, prefix: String = "req-") -> [UInt8] {
        Array((0..<count).map { line("\(prefix)\($0)") }.joined(separator: "\n").utf8) + [UInt8(ascii: "\n")]
    }

    /// Uploads a batch input file for `token`; returns its id.
    static func upload(_ bytes: [UInt8], token: String, client: some TestClientProtocol) async throws -> String {
        let response = try await client.execute(
            uri: "/v1/files", method: .post, headers: multipartHeaders(token), body: multipart(file: bytes))
        #expect(response.status == .ok, "upload: \(String(buffer: response.body))")
        return try #require(response.body.json["id"] as? String)
    }

    /// Creates a chat-completions batch over an input file; returns the batch object.
    static func createBatch(
        fileID: String, token: String, client: some TestClientProtocol, metadata: String = "null"
    ) async throws -> [String: Any] {
        let response = try await client.execute(
            uri: "/v1/batches", method: .post, headers: GatewayFixture.json(token),
            body: ByteBuffer(
                string:
                    #"{"input_file_id":"\#(fileID)","endpoint":"/v1/chat/completions","completion_window":"24h","metadata":\#(metadata)}"#
            ))
        #expect(response.status == .ok, "create batch: \(String(buffer: response.body))")
        return response.body.json
    }

    /// Polls `GET /v1/batches/{id}` until its status is one of `statuses`; returns the object.
    static func waitForBatch(
        _ id: String, in statuses: Set<String>, token: String, client: some TestClientProtocol,
        limit: Duration = .seconds(120)
    ) async throws -> [String: Any] {
        var last: [String: Any] = [:]
        try await eventually("batch \(id) reaches \(statuses.sorted())", limit: limit) {
            let response = try await client.execute(
                uri: "/v1/batches/\(id)", method: .get, headers: GatewayFixture.auth(token))
            last = response.body.json
            return statuses.contains(last["status"] as? String ?? "")
        }
        return last
    }

    /// The fake `chat.completion` a worker answers a request with: it echoes the prompt.
    static func completion(for payload: String) -> String {
        let request = JSONValue(parsing: payload)
        let customID = request?["custom_id"]?.stringValue ?? ""
        var content = ""
        if case .array(let messages)? = request?["body"]?["messages"], let last = messages.last {
            content = last["content"]?.stringValue ?? ""
        }
        let model = request?["body"]?["model"]?.stringValue ?? ""
        let body: JSONValue = .object([
            "id": .string("chatcmpl-\(customID)"), "object": .string("chat.completion"), "created": .int(1_700_000_000),
            "model": .string(model),
            "choices": .array([
                .object([
                    "index": .int(0), "message": .object(["role": .string("assistant"), "content": .string("echo: \(content)")]),
                    "finish_reason": .string("stop"),
                ])
            ]),
            "usage": .object(["prompt_tokens": .int(5), "completion_tokens": .int(3), "total_tokens": .int(8)]),
        ])
        return body.jsonText
    }

    /// Stands in for the GPU workers: claims `llm` jobs and answers `count` of them, failing
    /// (not retriable) those whose `custom_id` is in `failing`. Returns custom_id → job id.
    @discardableResult
    static func work(
        _ gateway: Gateway, count: Int, failing: Set<String> = [], workerID: String = "test-worker"
    ) async throws -> [String: String] {
        let consumer = try await gateway.broker.makeConsumer(queue: "llm", workerID: workerID)
        var done: [String: String] = [:]
        do {
            try await eventually("the test worker answers \(count) requests", limit: .seconds(120)) {
                let claimed = try await consumer.claim(maxJobs: min(100, count - done.count), wait: .milliseconds(200))
                for job in claimed {
                    #expect(job.kind == "llm.batch")
                    let customID = JSONValue(parsing: job.payload)?["custom_id"]?.stringValue ?? ""
                    if failing.contains(customID) {
                        _ = try await gateway.broker.fail(
                            job.lease,
                            JobFailure(code: "model_error", message: "the model refused \(customID)", retriable: false))
                    } else {
                        try await gateway.broker.complete(job.lease, result: completion(for: job.payload))
                    }
                    done[customID] = job.id
                }
                return done.count >= count
            }
        } catch {
            await consumer.close()
            throw error
        }
        await consumer.close()
        return done
    }

    /// The lines of a JSONL file, parsed.
    static func lines(_ buffer: ByteBuffer) -> [[String: Any]] {
        String(buffer: buffer).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Rows of a table in the fixture's schema.
    static func count(_ fixture: GatewayFixture, _ sql: String, _ params: [String?] = []) async throws -> Int {
        let rows = try await fixture.gateway.postgres.withConnection { try await $0.query(sql, params) }
        return Int(rows.rows.first?[0] ?? "0") ?? 0
    }

    /// What a refused request must not have left: files and batches rows, committed or staged
    /// blobs, jobs.
    static func assertNothingStored(_ fixture: GatewayFixture, _ comment: Comment? = nil) async throws {
        let stored = try await fixture.storedSomething()
        #expect(stored.rows == 0, comment)
        #expect(stored.redisJobs == 0, comment)
        #expect(stored.blobs == 0, comment)
        #expect(try await count(fixture, "SELECT count(*) FROM files") == 0, comment)
        #expect(try await count(fixture, "SELECT count(*) FROM batches") == 0, comment)
    }
}
