import Broker
import Emulators
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PlatformStore
import Producer
import TestSupport
import Testing

@testable import Workers

/// A gateway of its own (Redis namespace, Postgres schema, blob directory) with its batch
/// coordinator, an OpenAI emulator, and an LLM dispatcher between them.
struct LLMGatewayFixture: Sendable {
    let gateway: Gateway
    let schema: String
    let blobRoot: URL
    let key: String

    static func make() async throws -> LLMGatewayFixture {
        let postgresURL = try TestServers.postgresURL()
        let schema = "llm_" + UUID().uuidString.prefix(12).lowercased().replacingOccurrences(of: "-", with: "")
        let admin = try await PostgresConnection.connect(url: postgresURL)
        _ = try await admin.query("CREATE SCHEMA \(schema)")
        await admin.close()
        let blobRoot = FileManager.default.temporaryDirectory.appendingPathComponent("vj-llm-\(schema)")
        var configuration = GatewayConfiguration()
        configuration.redisURL = try TestServers.redisURL()
        configuration.postgresURL = postgresURL
        configuration.postgresSchema = schema
        configuration.namespace = "t" + UUID().uuidString.prefix(8).lowercased()
        configuration.blobDirectory = blobRoot.path
        configuration.jwtSecret = "test-secret-for-hs256-signing-0123456789"
        configuration.redisConnections = 4
        configuration.postgresConnections = 4
        configuration.rateLimitPerSecond = 0
        configuration.schedulerEnabled = false
        let gateway = try await Gateway.connect(configuration)
        let key = try await gateway.keys.create(tenant: "acme", role: .submitter).token
        return LLMGatewayFixture(gateway: gateway, schema: schema, blobRoot: blobRoot, key: key)
    }

    func tearDown() async {
        try? await gateway.redis.deleteKeys(matching: "\(gateway.configuration.namespace):*")
        await gateway.close()
        if let admin = try? await PostgresConnection.connect(url: gateway.configuration.postgresURL) {
            _ = try? await admin.query("DROP SCHEMA \(schema) CASCADE")
            await admin.close()
        }
        try? FileManager.default.removeItem(at: blobRoot)
    }

    /// Runs `body` with the gateway's router (services running: the batch coordinator), an
    /// emulator and a dispatcher feeding it.
    /// With `kinds`, the dispatcher also runs `qd.score` and `oracle.synthetic_template` on the
    /// gateway's Postgres, as the box agent does. `body` gets the emulator's base URL too.
    static func run(
        emulator: OpenAIEmulatorConfiguration, window: AIMDWindow.Configuration, claimBatch: Int = 32, kinds: Bool = false,
        _ body: @Sendable (LLMGatewayFixture, any TestClientProtocol) async throws -> Void
    ) async throws {
        try await run(emulator: emulator, window: window, claimBatch: claimBatch, kinds: kinds) { fixture, client, _ in
            try await body(fixture, client)
        }
    }

    static func run(
        emulator: OpenAIEmulatorConfiguration, window: AIMDWindow.Configuration, claimBatch: Int = 32, kinds: Bool = false,
        _ body: @Sendable (LLMGatewayFixture, any TestClientProtocol, String) async throws -> Void
    ) async throws {
        let fixture = try await make()
        do {
            let stores = LLMKindStores(
                qdScores: QDScoreStore(postgres: fixture.gateway.postgres),
                syntheticJobs: SyntheticJobStore(postgres: fixture.gateway.postgres),
                qdPrompt: try QDScorePrompt.load(from: PromptTemplateTests.promptsDirectory))
            let withKinds = kinds
            let routes: @Sendable (LLMCompletions) -> JobRouter = { completions in
                withKinds ? stores.routes(completions, workerID: "llm-e2e") : LLMDispatcher.standardRoutes(completions)
            }
            try await OpenAIEmulator.withRunning(emulator) { _, base in
                let dispatcher = LLMDispatcher(
                    configuration: .init(
                        workerID: "llm-e2e", serverURL: base, model: .override(emulator.model), window: window,
                        metricsInterval: .milliseconds(50), claimBatch: claimBatch, claimWait: .milliseconds(200)),
                    broker: fixture.gateway.broker, logger: Logger(label: "test.llm"),
                    routes: routes)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await dispatcher.run() }
                    defer { group.cancelAll() }
                    try await fixture.gateway.makeApplication().test(.router) { client in
                        try await body(fixture, client, base)
                    }
                }
            }
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }

    var auth: HTTPFields { [.authorization: "Bearer \(key)"] }

    func json(_ buffer: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))) as? [String: Any] ?? [:]
    }

    /// Uploads a batch input file of `count` chat lines and creates the batch; its id.
    func createBatch(count: Int, client: some TestClientProtocol) async throws -> String {
        try await createBatch(prompts: (0..<count).map { ("req-\($0)", "say req-\($0)") }, client: client)
    }

    /// Uploads a batch input file of one chat line per (custom_id, prompt) and creates the batch.
    func createBatch(
        prompts: [(customID: String, text: String)], client: some TestClientProtocol, headers extra: HTTPFields = [:]
    ) async throws -> String {
        let lines =
            prompts.map {
                #"{"custom_id":"\#($0.customID)","method":"POST","url":"/v1/chat/completions","body":{"model":"test-model","messages":[{"role":"user","content":"\#($0.text)"}],"max_tokens":16}}"#
            }.joined(separator: "\n") + "\n"
        let boundary = "vj-llm-boundary-5Qz"
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n"
        body +=
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n"
        body += lines + "\r\n--\(boundary)--\r\n"
        let upload = try await client.execute(
            uri: "/v1/files", method: .post, headers: auth + [.contentType: "multipart/form-data; boundary=\(boundary)"],
            body: ByteBuffer(string: body))
        #expect(upload.status == .ok)
        let fileID = try #require(json(upload.body)["id"] as? String)
        let batch = try await client.execute(
            uri: "/v1/batches", method: .post, headers: auth + [.contentType: "application/json"] + extra,
            body: ByteBuffer(
                string: #"{"input_file_id":"\#(fileID)","endpoint":"/v1/chat/completions","completion_window":"24h"}"#))
        #expect(batch.status == .ok)
        return try #require(json(batch.body)["id"] as? String)
    }

    func batch(_ id: String, client: some TestClientProtocol) async throws -> [String: Any] {
        json(try await client.execute(uri: "/v1/batches/\(id)", method: .get, headers: auth).body)
    }

    func lines(ofFile id: String, client: some TestClientProtocol) async throws -> [[String: Any]] {
        let response = try await client.execute(uri: "/v1/files/\(id)/content", method: .get, headers: auth)
        return String(buffer: response.body).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func children(of batchID: String) async throws -> [String] {
        let rows = try await gateway.postgres.withConnection {
            try await $0.query("SELECT id FROM jobs WHERE parent_batch = $1", [batchID])
        }
        return rows.rows.compactMap { $0[0] }
    }
}

extension HTTPFields {
    fileprivate static func + (lhs: HTTPFields, rhs: HTTPFields) -> HTTPFields {
        var fields = lhs
        fields.append(contentsOf: rhs)
        return fields
    }
}

@Suite("LLM batches end to end")
struct LLMBatchEndToEndTests {
    static func snapshots(_ broker: RedisBroker, _ ids: [String]) async throws -> [JobSnapshot] {
        var snapshots: [JobSnapshot] = []
        for id in ids {
            if let snapshot = try await broker.job(queue: "llm", id: id) { snapshots.append(snapshot) }
        }
        return snapshots
    }

    @Test("a 1,000-line batch through the gateway, the dispatcher and the emulator: one output line per custom_id")
    func thousandLines() async throws {
        let emulator = OpenAIEmulatorConfiguration(model: "served", slots: 64, tokensPerSecond: 4_000, prefillMilliseconds: 2)
        try await LLMGatewayFixture.run(emulator: emulator, window: .init(ceiling: 96, initial: 8)) { fixture, client in
            let id = try await fixture.createBatch(count: 1_000, client: client)
            try await eventually("the batch completes", limit: .seconds(180)) {
                try await fixture.batch(id, client: client)["status"] as? String == "completed"
            }
            let done = try await fixture.batch(id, client: client)
            #expect((done["request_counts"] as? [String: Int]) == ["total": 1_000, "completed": 1_000, "failed": 0])
            #expect(done["error_file_id"] is NSNull)
            let output = try await fixture.lines(ofFile: try #require(done["output_file_id"] as? String), client: client)
            #expect(output.count == 1_000)
            let customIDs = output.compactMap { $0["custom_id"] as? String }
            #expect(customIDs.count == 1_000)
            #expect(Set(customIDs) == Set((0..<1_000).map { "req-\($0)" }))
            for line in output {
                let customID = line["custom_id"] as? String ?? ""
                #expect((line["id"] as? String)?.hasPrefix("batch_req_") == true)
                #expect(line["error"] is NSNull)
                let response = try #require(line["response"] as? [String: Any])
                #expect(response["status_code"] as? Int == 200)
                let body = try #require(response["body"] as? [String: Any])
                #expect(body["object"] as? String == "chat.completion")
                #expect(body["model"] as? String == "served")
                let message = (body["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any]
                let expected = EmulatedText.content(
                    prompt: EmulatedText.promptText(messages: [("user", "say \(customID)")]), count: 16)
                #expect(message?["content"] as? String == expected)
            }
        }
    }

    /// Ordering, not timing: chats submitted while a batch runs are claimed before every batch
    /// line still waiting (the broker ranks llm.chat above llm.batch, and the dispatcher claims
    /// as soon as its window has room).
    @Test("chat jobs submitted while a batch runs complete before the batch's remaining lines")
    func chatsGoFirst() async throws {
        let emulator = OpenAIEmulatorConfiguration(model: "served", slots: 4, tokensPerSecond: 200, prefillMilliseconds: 0)
        try await LLMGatewayFixture.run(emulator: emulator, window: .init(ceiling: 8, initial: 4), claimBatch: 4) {
            fixture, client in try await Self.chatsGoFirstScenario(fixture, client)
        }
    }

    static func chatsGoFirstScenario(_ fixture: LLMGatewayFixture, _ client: some TestClientProtocol) async throws {
        let batchID = try await fixture.createBatch(count: 500, client: client)
        try await eventually("40 lines are done", limit: .seconds(120)) {
            let counts = try await fixture.batch(batchID, client: client)["request_counts"] as? [String: Int]
            return (counts?["completed"] ?? 0) >= 40
        }
        // Through the gateway, a chat gets llm.chat's default priority (batch lines llm.batch's).
        let viaGateway = try await client.execute(
            uri: "/v1/jobs", method: .post, headers: fixture.auth + [.contentType: "application/json"],
            body: ByteBuffer(
                string: #"{"kind":"llm.chat","payload":{"messages":[{"role":"user","content":"hi"}],"max_tokens":4}}"#))
        #expect(viaGateway.status == .accepted)
        // The chats under test go straight to the broker, so a chat's creation stamp is its
        // enqueue time to the millisecond.
        let producer = JobProducer(broker: fixture.gateway.broker, store: nil)
        let receipts = try await producer.submit(
            (0..<5).map {
                JobRequest(kind: "llm.chat", payload: #"{"messages":[{"role":"user","content":"hi \#($0)"}],"max_tokens":4}"#)
            })
        let broker = fixture.gateway.broker
        // Redis's clock once the chats are surely queued: a chat's creation stamp is this
        // process's clock before the enqueue's round trip, which a loaded machine stretches.
        let time = try #require(try await broker.send(RedisCommand("TIME", [])).array?.compactMap(\.string))
        let queuedBy = try #require(Int(time[0])) * 1_000 + (try #require(Int(time[1]))) / 1_000
        let ids = receipts.map(\.id) + [try #require(fixture.json(viaGateway.body)["id"] as? String)]
        try await eventually("the chats complete", limit: .seconds(120)) {
            let snapshots = try await Self.snapshots(broker, ids)
            return snapshots.count == ids.count && snapshots.allSatisfy { $0.state == .succeeded }
        }
        let chats = try await Self.snapshots(broker, ids)
        #expect(chats.allSatisfy { $0.priority == 500 })
        let lines = try await Self.snapshots(broker, try await fixture.children(of: batchID))
        #expect(lines.count == 500)
        #expect(lines.allSatisfy { $0.priority == -500 })
        let submitted = try #require(chats.compactMap(\.createdMilliseconds).min())
        let waitingAtSubmit = lines.filter { ($0.claimedMilliseconds ?? .max) > submitted }
        // Without priority the chats would wait for every one of these lines to be claimed.
        #expect(waitingAtSubmit.count > 100, "the batch was nearly done before the chats came")
        for chat in chats.prefix(5) {
            let claimed = try #require(chat.claimedMilliseconds)
            // Lines claimed while this chat surely waited in the queue: none, but for one claim
            // in the millisecond the clock was read.
            let overtaking = lines.filter { line in
                guard let at = line.claimedMilliseconds else { return false }
                return at > queuedBy && at < claimed
            }
            #expect(overtaking.count <= 1, "\(overtaking.count) batch lines were claimed while chat \(chat.id) waited")
        }
        try await eventually("the batch completes", limit: .seconds(180)) {
            try await fixture.batch(batchID, client: client)["status"] as? String == "completed"
        }
    }
}
