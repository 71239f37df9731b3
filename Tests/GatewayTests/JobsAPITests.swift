import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing
import TestSupport

@Suite("Jobs API")
struct JobsAPITests {
    static func submitBody(kind: String = "cpu.task", payload: String = #"{"file":"leads.csv"}"#) -> ByteBuffer {
        ByteBuffer(string: #"{"kind":"\#(kind)","payload":\#(payload),"priority":2}"#)
    }

    @Test("submit answers 202 with urls, records the job in Postgres and queues it in Redis")
    func submitAndStatus() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: Self.submitBody())
            #expect(accepted.status == .accepted)
            let body = accepted.body.json
            let id = try #require(body["id"] as? String)
            #expect(JobID.isValid(id))
            #expect(body["status"] as? String == "queued")
            let urls = try #require(body["urls"] as? [String: String])
            #expect(urls["get"] == "/v1/jobs/\(id)")
            #expect(urls["cancel"] == "/v1/jobs/\(id)/cancel")
            #expect(urls["events"] == "/v1/jobs/\(id)/events")
            #expect(urls["result"] == "/v1/jobs/\(id)/result")
            #expect(accepted.headers[.location] == "/v1/jobs/\(id)")

            // Durable before the 202.
            let record = try await fixture.gateway.records.job(id: id)
            #expect(record?.submission.tenant == "acme")
            #expect(record?.submission.payload == #"{"file":"leads.csv"}"#)

            let status = try await client.execute(
                uri: "/v1/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(status.status == .ok)
            let view = try status.body.decode(JobView.self)
            #expect(view.status == "queued")
            #expect(view.queue == "cpu")
            #expect(view.kind == "cpu.task")
            #expect(view.priority == 2)
            #expect(view.queue_position == 0)
            #expect(view.metrics.queue_ms == nil)
        }
    }

    @Test("queue_position counts the jobs ahead")
    func queuePosition() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            var ids: [String] = []
            for _ in 0..<3 {
                let response = try await client.execute(
                    uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: Self.submitBody())
                ids.append(try #require(response.body.json["id"] as? String))
            }
            let last = try await client.execute(
                uri: "/v1/jobs/\(ids[2])", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(try last.body.decode(JobView.self).queue_position == 2)
        }
    }

    @Test("an Idempotency-Key returns the first job for a repeat, 200 instead of 202")
    func idempotency() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let headers = GatewayFixture.json(fixture.acme, [HTTPField.Name("Idempotency-Key")!: "import-42"])
            let first = try await client.execute(uri: "/v1/jobs", method: .post, headers: headers, body: Self.submitBody())
            let second = try await client.execute(uri: "/v1/jobs", method: .post, headers: headers, body: Self.submitBody())
            #expect(first.status == .accepted)
            #expect(second.status == .ok)
            #expect(first.body.json["id"] as? String == second.body.json["id"] as? String)
            #expect(second.body.json["created"] as? Bool == false)
            // Another tenant's identical key is a different job.
            let other = try await client.execute(
                uri: "/v1/jobs", method: .post,
                headers: GatewayFixture.json(fixture.globex, [HTTPField.Name("Idempotency-Key")!: "import-42"]),
                body: Self.submitBody())
            #expect(other.status == .accepted)
            #expect(other.body.json["id"] as? String != first.body.json["id"] as? String)
            #expect(try await fixture.storedSomething().rows == 2)
        }
    }

    @Test(
        "refused submits answer one error shape and store nothing",
        arguments: [
            ("{not json", 400, "malformed_json", nil),
            ("", 400, "malformed_json", nil),
            (#"[1,2]"#, 422, "invalid_request", nil),
            (#"{"payload":{}}"#, 422, "invalid_request", "kind"),
            (#"{"kind":"nope.unknown","payload":{}}"#, 422, "invalid_request", "kind"),
            (#"{"kind":"cpu.task","payload":[1]}"#, 422, "invalid_request", "payload"),
            (#"{"kind":"cpu.task","payload":{},"priority":"high"}"#, 422, "invalid_request", "priority"),
            (#"{"kind":"cpu.task","payload":{},"max_attempts":0}"#, 422, "invalid_request", "max_attempts"),
            (#"{"kind":"cpu.task","payload":{},"timeouts":{"heartbeat_ms":-5}}"#, 422, "invalid_request", nil),
            (#"{"kind":"cpu.task","payload":{},"priority":1000000}"#, 422, "invalid_request", "priority"),
            // Kinds with contracts: the payload is decoded with the kind's type; the field is named.
            (#"{"kind":"llm.chat","payload":"hello"}"#, 422, "invalid_request", "payload"),
            (#"{"kind":"llm.batch","payload":{"method":"POST","url":"/v1/chat/completions","body":{}}}"#, 422,
             "invalid_request", "payload.custom_id"),
            (#"{"kind":"llm.batch","payload":{"custom_id":7,"method":"POST","url":"/v1/chat/completions","body":{}}}"#,
             422, "invalid_request", "payload.custom_id"),
            (#"{"kind":"llm.batch","payload":{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":[]}}"#,
             422, "invalid_request", "payload.body"),
            (#"{"kind":"dream_weaver.render","payload":{"input_blob":"i","room_type":"r","style":"s","seed":null,"output_blob":"o","image":{"format":"gif","width":1,"height":1,"bytes":1}}}"#,
             422, "invalid_request", "payload.image.format"),
        ] as [(String, Int, String, String?)])
    func refusedSubmits(body: String, status: Int, code: String, field: String?) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: ByteBuffer(string: body))
            #expect(response.status.code == status, "\(body)")
            let error = try #require(response.body.json["error"] as? [String: Any], "\(body)")
            #expect(error["code"] as? String == code)
            #expect((error["message"] as? String)?.isEmpty == false)
            if let field {
                #expect((error["details"] as? [String: String])?["field"] == field, "\(body): \(error)")
            }
            let stored = try await fixture.storedSomething()
            #expect(stored.rows == 0 && stored.redisJobs == 0)
        }
    }

    @Test("an oversized body is 413 and stores nothing")
    func oversizedBody() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let big = String(repeating: "x", count: 2 << 20)
            let response = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"cpu.task","payload":{"data":"\#(big)"}}"#))
            #expect(response.status == .contentTooLarge)
            #expect((response.body.json["error"] as? [String: Any])?["code"] as? String == "body_too_large")
            #expect(try await fixture.storedSomething().rows == 0)
        }
    }

    @Test("unknown job and unknown route are 404 in the error shape")
    func notFound() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            for uri in ["/v1/jobs/\(JobID.make())", "/v1/jobs/not-an-id", "/v1/nothing-here"] {
                let response = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.acme))
                #expect(response.status == .notFound, "\(uri)")
                #expect((response.body.json["error"] as? [String: Any])?["code"] as? String == "not_found", "\(uri)")
            }
        }
    }

    @Test("a job's result is 409 until it ends, then the worker's JSON")
    func result() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: Self.submitBody())
            let id = try #require(accepted.body.json["id"] as? String)
            let early = try await client.execute(
                uri: "/v1/jobs/\(id)/result", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(early.status == .conflict)
            #expect((early.body.json["error"] as? [String: Any])?["code"] as? String == "job_not_finished")

            let consumer = try await fixture.gateway.broker.makeConsumer(queue: "cpu", workerID: "test-worker")
            let claimed = try await consumer.claim(maxJobs: 1, wait: .seconds(5))
            await consumer.close()
            let job = try #require(claimed.first)
            try await fixture.gateway.broker.complete(job.lease, result: #"{"rows":12}"#)

            let done = try await client.execute(
                uri: "/v1/jobs/\(id)/result", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(done.status == .ok)
            #expect(done.body.json["status"] as? String == "succeeded")
            #expect((done.body.json["result"] as? [String: Int])?["rows"] == 12)
            let view = try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
                .body.decode(JobView.self)
            #expect(view.metrics.run_ms != nil && view.metrics.queue_ms != nil)
            #expect(view.queue_position == nil)
        }
    }

    @Test("cancel is idempotent: queued → canceled, then already_ended")
    func cancel() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: Self.submitBody())
            let id = try #require(accepted.body.json["id"] as? String)
            let first = try await client.execute(
                uri: "/v1/jobs/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.acme))
            #expect(first.status == .ok)
            #expect(first.body.json["outcome"] as? String == "canceled")
            #expect(first.body.json["status"] as? String == "canceled")
            let again = try await client.execute(
                uri: "/v1/jobs/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.acme))
            #expect(again.status == .ok)
            #expect(again.body.json["outcome"] as? String == "already_ended")
            // Another tenant cannot cancel it, nor learn that it exists.
            let stranger = try await client.execute(
                uri: "/v1/jobs/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.globex))
            #expect(stranger.status == .notFound)
        }
    }

    @Test("tenants see only their own jobs: get, result, events and list")
    func tenantIsolation() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let accepted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme), body: Self.submitBody())
            let id = try #require(accepted.body.json["id"] as? String)
            for uri in ["/v1/jobs/\(id)", "/v1/jobs/\(id)/result", "/v1/jobs/\(id)/events"] {
                let response = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.globex))
                #expect(response.status == .notFound, "\(uri)")
            }
            let list = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect((list.body.json["data"] as? [Any])?.count == 0)
            let own = try await client.execute(uri: "/v1/jobs", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect((own.body.json["data"] as? [[String: Any]])?.first?["id"] as? String == id)
        }
    }

    @Test("list pages newest first and filters by kind and state")
    func list() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            var ids: [String] = []
            for kind in ["cpu.task", "cpu.task", "llm.chat", "cpu.task", "llm.chat"] {
                let response = try await client.execute(
                    uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                    body: Self.submitBody(kind: kind))
                ids.append(try #require(response.body.json["id"] as? String))
            }
            let first = try await client.execute(
                uri: "/v1/jobs?limit=2", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let page1 = try #require(first.body.json["data"] as? [[String: Any]])
            #expect(page1.map { $0["id"] as? String } == [ids[4], ids[3]])
            let cursor = try #require(first.body.json["next_cursor"] as? String)
            let second = try await client.execute(
                uri: "/v1/jobs?limit=2&cursor=\(cursor)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect((second.body.json["data"] as? [[String: Any]])?.map { $0["id"] as? String } == [ids[2], ids[1]])
            let chats = try await client.execute(
                uri: "/v1/jobs?kind=llm.chat", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect((chats.body.json["data"] as? [[String: Any]])?.count == 2)
            let queued = try await client.execute(
                uri: "/v1/jobs?state=queued", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect((queued.body.json["data"] as? [[String: Any]])?.count == 5)
            for bad in ["state=bogus", "limit=0", "limit=x", "cursor=nope"] {
                let response = try await client.execute(
                    uri: "/v1/jobs?\(bad)", method: .get, headers: GatewayFixture.auth(fixture.acme))
                #expect(response.status == .unprocessableContent, "\(bad)")
            }
        }
    }
}
