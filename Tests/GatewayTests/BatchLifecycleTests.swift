import Broker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Producer
import TestSupport
import Testing

@testable import Gateway

@Suite("Batch life cycle")
struct BatchLifecycleTests {
    typealias S = BatchTestSupport

    static func content(_ fileID: String, _ fixture: GatewayFixture, client: some TestClientProtocol) async throws
        -> [[String: Any]]
    {
        let response = try await client.execute(
            uri: "/v1/files/\(fileID)/content", method: .get, headers: GatewayFixture.auth(fixture.acme))
        #expect(response.status == .ok)
        return S.lines(response.body)
    }

    @Test("a 1,000-line batch goes from upload to output and error files in OpenAI's shapes")
    func thousandLines() async throws {
        try await GatewayFixture.withGateway(configure: { $0.rateLimitPerSecond = 0 }) { fixture, client in
            let count = 1_000
            let failing: Set<String> = ["req-7", "req-123", "req-500", "req-999"]
            let fileID = try await S.upload(S.jsonl(count: count), token: fixture.acme, client: client)
            let id = try #require(try await S.createBatch(fileID: fileID, token: fixture.acme, client: client)["id"] as? String)
            let jobs = try await S.work(fixture.gateway, count: count, failing: failing)
            #expect(jobs.count == count)

            let done = try await S.waitForBatch(id, in: ["completed"], token: fixture.acme, client: client)
            #expect((done["request_counts"] as? [String: Int]) == ["total": 1_000, "completed": 996, "failed": 4])
            for stamp in ["in_progress_at", "finalizing_at", "completed_at"] { #expect(done[stamp] is Int, "\(stamp)") }
            #expect(done["failed_at"] is NSNull)
            let outputID = try #require(done["output_file_id"] as? String)
            let errorID = try #require(done["error_file_id"] as? String)

            let outputFile = try await client.execute(
                uri: "/v1/files/\(outputID)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(outputFile.body.json["purpose"] as? String == "batch_output")

            let output = try await Self.content(outputID, fixture, client: client)
            #expect(output.count == 996)
            let outputIDs = Set(output.compactMap { $0["custom_id"] as? String })
            #expect(outputIDs == Set((0..<count).map { "req-\($0)" }).subtracting(failing))
            for line in output {
                let customID = line["custom_id"] as? String ?? ""
                #expect((line["id"] as? String)?.hasPrefix("batch_req_") == true)
                #expect(line["error"] is NSNull)
                let response = try #require(line["response"] as? [String: Any])
                #expect(response["status_code"] as? Int == 200)
                #expect(response["request_id"] as? String == jobs[customID])
                let body = try #require(response["body"] as? [String: Any])
                #expect(body["object"] as? String == "chat.completion")
                let choice = (body["choices"] as? [[String: Any]])?.first
                #expect((choice?["message"] as? [String: Any])?["content"] as? String == "echo: say \(customID)")
            }

            let errors = try await Self.content(errorID, fixture, client: client)
            #expect(Set(errors.compactMap { $0["custom_id"] as? String }) == failing)
            for line in errors {
                #expect(line["response"] is NSNull)
                let error = try #require(line["error"] as? [String: Any])
                #expect(error["code"] as? String == "model_error")
                #expect((error["message"] as? String)?.hasPrefix("the model refused") == true)
            }
        }
    }

    @Test("cancel of an in-progress batch cancels its children and ends cancelled with the finished work kept")
    func cancelInProgress() async throws {
        try await GatewayFixture.withGateway(configure: { $0.rateLimitPerSecond = 0 }) { fixture, client in
            let fileID = try await S.upload(S.jsonl(count: 10), token: fixture.acme, client: client)
            let id = try #require(try await S.createBatch(fileID: fileID, token: fixture.acme, client: client)["id"] as? String)
            _ = try await S.waitForBatch(id, in: ["in_progress"], token: fixture.acme, client: client)
            try await S.work(fixture.gateway, count: 3)
            // One child is running when the cancel comes.
            let consumer = try await fixture.gateway.broker.makeConsumer(queue: "llm", workerID: "holder")
            let held = try #require(try await consumer.claim(maxJobs: 1, wait: .seconds(10)).first)
            await consumer.close()

            let cancel = try await client.execute(
                uri: "/v1/batches/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.acme))
            #expect(cancel.status == .ok)
            #expect(cancel.body.json["status"] as? String == "cancelling")
            #expect(cancel.body.json["cancelling_at"] is Int)

            // The running child hears of the cancel and stops; the batch waits for it.
            try await eventually("the running child is asked to stop") {
                try await fixture.gateway.broker.heartbeat(held.lease, progress: nil).cancelRequested
            }
            let meanwhile = try await client.execute(
                uri: "/v1/batches/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(meanwhile.body.json["status"] as? String == "cancelling")
            _ = try await fixture.gateway.broker.fail(
                held.lease, JobFailure(code: "canceled", message: "stopped", retriable: false, disposition: .canceled))

            let cancelled = try await S.waitForBatch(id, in: ["cancelled"], token: fixture.acme, client: client)
            #expect(cancelled["cancelled_at"] is Int)
            #expect((cancelled["request_counts"] as? [String: Int]) == ["total": 10, "completed": 3, "failed": 7])
            let output = try await Self.content(try #require(cancelled["output_file_id"] as? String), fixture, client: client)
            #expect(output.count == 3)
            let errors = try await Self.content(try #require(cancelled["error_file_id"] as? String), fixture, client: client)
            #expect(errors.count == 7)
            #expect(errors.allSatisfy { ($0["error"] as? [String: Any])?["code"] as? String == "batch_cancelled" })
            #expect(
                try await S.count(
                    fixture, "SELECT count(*) FROM jobs WHERE parent_batch = $1 AND state = 'canceled'", [id]) == 7)

            // Cancelling again is harmless; a completed batch cannot be cancelled.
            let again = try await client.execute(
                uri: "/v1/batches/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.acme))
            #expect(again.status == .ok)
            #expect(again.body.json["status"] as? String == "cancelled")
        }
    }

    @Test("a completed batch cannot be cancelled (409)")
    func cancelCompleted() async throws {
        try await GatewayFixture.withGateway(configure: { $0.rateLimitPerSecond = 0 }) { fixture, client in
            let fileID = try await S.upload(S.jsonl(count: 2), token: fixture.acme, client: client)
            let id = try #require(try await S.createBatch(fileID: fileID, token: fixture.acme, client: client)["id"] as? String)
            try await S.work(fixture.gateway, count: 2)
            _ = try await S.waitForBatch(id, in: ["completed"], token: fixture.acme, client: client)
            let cancel = try await client.execute(
                uri: "/v1/batches/\(id)/cancel", method: .post, headers: GatewayFixture.auth(fixture.acme))
            #expect(cancel.status == .conflict)
            #expect((cancel.body.json["error"] as? [String: Any])?["code"] as? String == "conflict")
        }
    }

    @Test("a batch past its completion window expires: open children are cancelled, finished work is kept")
    func expiry() async throws {
        try await GatewayFixture.withGateway(configure: { $0.rateLimitPerSecond = 0 }) { fixture, client in
            let fileID = try await S.upload(S.jsonl(count: 4), token: fixture.acme, client: client)
            let id = try #require(try await S.createBatch(fileID: fileID, token: fixture.acme, client: client)["id"] as? String)
            _ = try await S.waitForBatch(id, in: ["in_progress"], token: fixture.acme, client: client)
            try await S.work(fixture.gateway, count: 1)
            _ = try await fixture.gateway.postgres.withConnection {
                try await $0.query("UPDATE batches SET expires_at = now() - interval '1 second' WHERE id = $1", [id])
            }
            let expired = try await S.waitForBatch(id, in: ["expired"], token: fixture.acme, client: client)
            #expect(expired["expired_at"] is Int)
            #expect((expired["request_counts"] as? [String: Int]) == ["total": 4, "completed": 1, "failed": 3])
            let errors = try await Self.content(try #require(expired["error_file_id"] as? String), fixture, client: client)
            #expect(errors.count == 3)
            #expect(errors.allSatisfy { ($0["error"] as? [String: Any])?["code"] as? String == "batch_expired" })
        }
    }

    /// A validating batch of `count` chat lines of acme's, made as the API makes one.
    /// A coordinator of `gateway`'s batches whose passes the test makes (no services run).
    static func coordinator(_ gateway: Gateway) -> BatchCoordinator {
        BatchCoordinator(
            postgres: gateway.postgres, records: gateway.records, blobs: gateway.blobs, producer: gateway.producer,
            logger: gateway.logger)
    }

    static func batch(of count: Int, on gateway: Gateway) async throws -> (BatchLibrary, BatchStore.StoredBatch) {
        let library = BatchLibrary(store: BatchStore(pool: gateway.postgres), blobs: gateway.blobs)
        let principal = Principal(tenant: "acme", subject: "test", role: .submitter)
        let file = try await library.storeFile(S.jsonl(count: count), tenant: "acme", purpose: "batch", filename: "in.jsonl")
        let batch = try await library.createBatch(
            principal: principal, inputFileID: file.id, endpoint: "/v1/chat/completions", completionWindow: "24h",
            metadata: nil)
        return (library, batch)
    }

    /// Coordinators of two gateway processes, and a re-run after a crash that left some
    /// children behind, create each child exactly once.
    @Test("two coordinators and a crashed half-run create every child exactly once")
    func restartAndConcurrency() async throws {
        let fixture = try await GatewayFixture.make()
        do {
            let gateway = fixture.gateway
            let (library, batch) = try await Self.batch(of: 50, on: gateway)
            // The crashed run had recorded the first 20 children.
            let earlier = (0..<20).map { n in
                JobRequest(
                    kind: "llm.batch",
                    payload: #"""
                        {"batch_id":"\#(batch.id)","custom_id":"req-\#(n)","method":"POST","url":"/v1/chat/completions",
                         "body":{"messages":[{"role":"user","content":"hi"}]}}
                        """#, tenant: "acme",
                    idempotencyKey: BatchInputValidator.idempotencyKey(batchID: batch.id, customID: "req-\(n)"),
                    parentBatch: batch.id)
            }
            _ = try await gateway.producer.submit(earlier)

            let first = Self.coordinator(gateway)
            let second = Self.coordinator(gateway)
            async let a: Void = first.runOnce()
            async let b: Void = second.runOnce()
            _ = try await (a, b)
            // Whichever lost the lease race leaves it to a later pass.
            try await first.runOnce()

            let stored = try #require(try await library.store.batch(id: batch.id))
            #expect(stored.status == .in_progress)
            #expect(stored.total == 50)
            #expect(try await S.count(fixture, "SELECT count(*) FROM jobs WHERE parent_batch = $1", [batch.id]) == 50)
            #expect(
                try await S.count(
                    fixture, "SELECT count(DISTINCT idempotency_key) FROM jobs WHERE parent_batch = $1", [batch.id]) == 50)
            #expect(try await gateway.broker.depth(queue: "llm").queued == 50)

            // A live lease of another process keeps this one's hands off the batch.
            _ = try await gateway.postgres.withConnection {
                try await $0.query(
                    "UPDATE batches SET status = 'cancelling', lease_owner = 'other', lease_until = now() + interval '1 hour' WHERE id = $1",
                    [batch.id])
            }
            try await first.runOnce()
            #expect(try await library.store.batch(id: batch.id)?.status == .cancelling)
            #expect(try await gateway.broker.depth(queue: "llm").queued == 50)
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    @Test("a batch whose window nears with lines left is promoted once out of the backfill band; it shows its risk")
    func promotionAsTheWindowNears() async throws {
        let fixture = try await GatewayFixture.make()
        do {
            let gateway = fixture.gateway
            let (library, batch) = try await Self.batch(of: 10, on: gateway)
            let coordinator = Self.coordinator(gateway)
            try await coordinator.runOnce()
            // Its window is the broker's too, for the GPU boxes' mode advice.
            let open = try await gateway.broker.openBatches(queue: "llm", limit: 10)
            #expect(open.map(\.parent) == [batch.id] && open.first?.open == 10)
            let expiresAt = try #require(try await library.store.batch(id: batch.id)?.expiresAt)
            #expect(open.first?.dueMilliseconds == expiresAt * 1000)
            _ = try await S.work(gateway, count: 2)
            try await coordinator.runOnce()
            // Far from its end (24 h left): on track, nothing promoted.
            var stored = try #require(try await library.store.batch(id: batch.id))
            #expect(stored.promotedAt == nil)
            #expect(stored.object.window?.risk == "on_track")
            // 2 of 10 lines took 1000 s; 100 s are left: late.
            _ = try await gateway.postgres.withConnection {
                try await $0.query(
                    "UPDATE batches SET in_progress_at = now() - interval '1000 seconds', expires_at = now() + interval '100 seconds' WHERE id = $1",
                    [batch.id])
            }
            try await coordinator.runOnce()
            stored = try #require(try await library.store.batch(id: batch.id))
            let promotedAt = try #require(stored.promotedAt)
            // The record still has all 10 open (no end synced yet); the broker moved the 8 waiting.
            let children = try await gateway.records.openChildren(parentBatch: batch.id)
            let snapshots = try await gateway.broker.jobs(queue: "llm", ids: children.map(\.id)).compactMap { $0 }
            let waiting = snapshots.filter { !$0.state.isTerminal }
            #expect(waiting.count == 8)
            // 100 s left: 9 halvings below a day, the class 100 + 9 × 30.
            #expect(BatchWindow.promotionPriority(secondsLeft: 100) == 370)
            #expect(waiting.allSatisfy { $0.priority == 370 }, "\(waiting.map(\.priority))")
            #expect(snapshots.filter(\.state.isTerminal).allSatisfy { $0.priority == -500 })
            let window = try #require(stored.object.window)
            #expect(window.risk == "late" && window.promoted_at == promotedAt)
            #expect((window.ratio ?? 0) > 30)  // 8 lines × 500 s ÷ 100 s
            // A later pass in the same class leaves the promotion as it was.
            try await coordinator.runOnce()
            #expect(try await library.store.batch(id: batch.id)?.promotedAt == promotedAt)
            #expect(try await library.store.batch(id: batch.id)?.promotedPriority == 370)
            #expect(window.promoted_priority == 370)
            // The risk in /metrics.
            try await fixture.gateway.makeApplication().test(.router) { client in
                let text = String(
                    buffer: try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme))
                        .body)
                #expect(text.contains(#"velocity_batches_in_progress{risk="late"} 1"#), "\(text)")
                #expect(text.contains(#"velocity_batch_window_risk_ratio{batch="\#(batch.id)"}"#))
            }
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    @Test("progress comes from the broker's counts; the end waits for the record, which also stands in for lost counts")
    func countsFromTheBroker() async throws {
        // No services run: each coordinator pass and each record sync is this test's.
        let fixture = try await GatewayFixture.make()
        do {
            let gateway = fixture.gateway
            let (library, batch) = try await Self.batch(of: 10, on: gateway)
            let coordinator = Self.coordinator(gateway)
            try await coordinator.runOnce()
            #expect(try await library.store.batch(id: batch.id)?.status == .in_progress)

            _ = try await S.work(gateway, count: 10, failing: ["req-3"])
            try await coordinator.runOnce()
            var stored = try #require(try await library.store.batch(id: batch.id))
            #expect(stored.status == .in_progress, "every line ended, but no end has reached Postgres yet")
            #expect(stored.completed == 9)
            #expect(stored.failed == 1)

            // Redis lost the batch's counts: the record's stand in (nothing synced yet).
            _ = try await gateway.redis.send(RedisCommand("DEL", [gateway.broker.keys("llm").batch(batch.id)]))
            #expect(try await coordinator.lineCounts(stored) == BatchChildCounts(succeeded: 0, unsuccessful: 0, all: 10))
            try await coordinator.runOnce()
            #expect(try await library.store.batch(id: batch.id)?.completed == 0)

            let sync = JobRecordSync(broker: gateway.broker, store: gateway.records, queues: ["llm"], logger: gateway.logger)
            #expect(try await sync.drainOnce(queue: "llm") == 10)
            #expect(try await coordinator.lineCounts(stored) == BatchChildCounts(succeeded: 9, unsuccessful: 1, all: 10))
            try await coordinator.runOnce()
            stored = try #require(try await library.store.batch(id: batch.id))
            #expect(stored.status == .completed)
            #expect(stored.completed == 9)
            #expect(stored.failed == 1)
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }
}
