import Foundation
import TestSupport
import Testing

@testable import Broker

/// One job encoding between Swift and Lua, and replies decoded by shape: a reply the broker
/// did not write throws, naming the field.
@Suite("Broker reply decoding")
struct BrokerReplyDecodingTests {
    static func text(_ value: String) -> RESPValue { .bulkString(Array(value.utf8)) }

    /// `expression` throws a malformed-reply error naming `field`.
    func expectMalformed(
        _ field: String, _ expression: () throws -> some Any, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        #expect(sourceLocation: sourceLocation) { _ = try expression() } throws: { error in
            guard let error = error as? BrokerError, error.code == .malformedReply else { return false }
            return error.field == field && error.message.contains(field)
        }
    }

    /// One claimed job's reply fields, as `claim()` in the prelude writes them.
    static func claimedJob(_ overrides: [ClaimField: RESPValue] = [:]) -> [RESPValue] {
        ClaimField.allCases.map { field in
            if let value = overrides[field] { return value }
            switch field {
            case .id: return text(JobID.make())
            case .attemptID: return text("7")
            case .attempts: return .integer(1)
            case .kind: return text("test.job")
            case .tenant: return text("acme")
            case .payload: return text("{}")
            case .checkpoint: return text("")
            case .traceParent: return text("")
            default: return text("1000")
            }
        }
    }

    @Test("a claim reply decodes by ClaimField, and one of the wrong shape throws naming the field")
    func claimReply() throws {
        let header: [RESPValue] = [.integer(0), .integer(-1)]
        let parsed = try RedisBroker.parseClaimReply(header + Self.claimedJob() + Self.claimedJob(), from: 0, queue: "q")
        #expect(parsed.jobs.count == 2)
        #expect(parsed.jobs[0].lease.attemptID == "7")
        #expect(parsed.jobs[0].attempt == 1)
        #expect(parsed.jobs[0].checkpoint == nil)
        #expect(parsed.jobs[0].claimedMilliseconds == 1000)
        #expect(parsed.nextDueMilliseconds == nil)

        expectMalformed("claim reply attempt_id") {
            try RedisBroker.parseClaimReply(header + Self.claimedJob([.attemptID: .null]), from: 0, queue: "q")
        }
        expectMalformed("claim reply attempts") {
            try RedisBroker.parseClaimReply(header + Self.claimedJob([.attempts: Self.text("one")]), from: 0, queue: "q")
        }
        expectMalformed("claim reply") {
            try RedisBroker.parseClaimReply(header + Self.claimedJob().dropLast(), from: 0, queue: "q")
        }
        expectMalformed("claim reply paused") {
            try RedisBroker.parseClaimReply([.null, .integer(-1)], from: 0, queue: "q")
        }
    }

    @Test("heartbeat and complete replies of the wrong shape throw naming the field")
    func heartbeatAndCompleteReplies() throws {
        let beat = try RedisBroker.parseHeartbeatReply(.array([.integer(5_000), .integer(1)]))
        #expect(beat == HeartbeatReply(leaseDeadlineMilliseconds: 5_000, cancelRequested: true))
        expectMalformed("heartbeat reply") { try RedisBroker.parseHeartbeatReply(.array([.integer(5_000)])) }
        expectMalformed("heartbeat reply lease deadline") {
            try RedisBroker.parseHeartbeatReply(.array([Self.text("soon"), .integer(0)]))
        }

        let complete = try RedisBroker.parseCompleteReply(
            .array([.integer(2), Self.text("OK"), Self.text("VJ_STALE_ATTEMPT"), .integer(0), .integer(-1)]), queue: "q")
        #expect(complete.refused.map { $0?.code } == [nil, .staleAttempt])
        expectMalformed("complete reply status") {
            try RedisBroker.parseCompleteReply(.array([.integer(1), Self.text("MAYBE"), .integer(0), .integer(-1)]), queue: "q")
        }
        expectMalformed("complete reply") {
            try RedisBroker.parseCompleteReply(.array([.integer(3), Self.text("OK")]), queue: "q")
        }
        expectMalformed("complete reply") { try RedisBroker.parseCompleteReply(Self.text("OK"), queue: "q") }
    }

    @Test("a job hash missing a field enqueue writes, or with a field that does not parse, throws naming it")
    func jobHash() throws {
        let id = JobID.make()
        var hash: [String: String] = [
            "id": id, "kind": "k", "tenant": "acme", "actor": "", "payload": "{}", "state": "queued",
            "priority": "0", "attempts": "0", "max_attempts": "3", "created_ms": "1000",
        ]
        let snapshot = try JobSnapshot(queue: "q", hash: hash)
        #expect(snapshot.id == id)
        #expect(snapshot.createdMilliseconds == 1000)
        #expect(snapshot.startedMilliseconds == nil)

        var missing = hash
        missing["kind"] = nil
        expectMalformed("job \(id) kind") { try JobSnapshot(queue: "q", hash: missing) }
        hash["attempts"] = "many"
        expectMalformed("job \(id) attempts") { try JobSnapshot(queue: "q", hash: hash) }
        hash["attempts"] = "1"
        hash["state"] = "lost"
        expectMalformed("job \(id) state") { try JobSnapshot(queue: "q", hash: hash) }
        hash["state"] = "processing"
        hash["started_ms"] = ""
        expectMalformed("job \(id) started_ms") { try JobSnapshot(queue: "q", hash: hash) }
    }

    @Test("event entries decode to typed events; a malformed one throws naming the field")
    func eventEntries() throws {
        #expect(try RedisEventReader.streamEntries(xread: .null).isEmpty)
        let fields: RESPValue = .array(["job", "j1", "state", "starting", "attempt", "2"].map(Self.text))
        let entries = try RedisEventReader.streamEntries(
            xread: .array([.array([Self.text("events"), .array([.array([Self.text("1-0"), fields])])])]))
        #expect(entries.map(\.id) == ["1-0"])
        let event = try RedisEventReader.event(id: "1-0", fields: entries[0].fields)
        #expect(event == JobEvent(position: "1-0", jobID: "j1", state: "starting", attempt: 2))

        expectMalformed("event 1-0.state") {
            try RedisEventReader.event(id: "1-0", fields: .array(["job", "j1", "attempt", ""].map(Self.text)))
        }
        expectMalformed("event 1-0.attempt") {
            try RedisEventReader.event(
                id: "1-0", fields: .array(["job", "j1", "state", "queued", "attempt", "x"].map(Self.text)))
        }
        expectMalformed("event 1-0") {
            try RedisEventReader.event(id: "1-0", fields: .array(["job", "j1", "state"].map(Self.text)))
        }
        expectMalformed("XREAD stream") { try RedisEventReader.streamEntries(xread: .array([Self.text("events")])) }
    }

    @Test("the Lua layout is generated from JobField and ClaimField, and no script hard-codes a stride")
    func generatedLayout() {
        let layout = BrokerScript.layout
        #expect(layout.contains("local JOB_FIELDS = \(JobField.allCases.count)"))
        #expect(layout.contains("local CLAIM_FIELDS = \(ClaimField.allCases.count)"))
        #expect(layout.contains(JobField.allCases.map(\.luaConstant).joined(separator: ", ")))
        #expect(layout.contains(ClaimField.allCases.map(\.luaConstant).joined(separator: ", ")))
        #expect(BrokerScript.enqueue.source.contains("local function write_job(jk, b, created)"))
        #expect(BrokerScript.claim.source.contains("local C_ID, C_ATTEMPT_ID"))
        for script in BrokerScript.all {
            #expect(!script.source.contains("j * 15"), "\(script.name)")
        }
        // Every claim field is written by the claim's start().
        for field in ClaimField.allCases {
            #expect(BrokerScript.claiming.contains("out[j + \(field.luaConstant)]"), "\(field)")
        }
    }

    @Test("each script carries only the shared Lua it uses, in the shared order, and every definition it calls")
    func linkedScripts() {
        let heartbeat = BrokerScript.heartbeat.source
        for used in ["local function fence(", "local function emit(", "local function now_ms(", "local function flush_later("] {
            #expect(heartbeat.contains(used), "\(used)")
        }
        for unused in ["local function claim(", "local function write_job(", "local function pick(", "local LIMITS"] {
            #expect(!heartbeat.contains(unused), "\(unused)")
        }
        #expect(heartbeat.utf8.count * 3 < BrokerScript.complete.source.utf8.count)
        // Every shared definition a script names is in it, before its first use.
        let units = BrokerScript.sharedUnits
        for script in BrokerScript.all {
            let names = LuaUnit.identifiers(in: Substring(script.source))
            var offset = script.source.startIndex
            for unit in units where !unit.defines.filter(names.contains).isEmpty {
                guard let range = script.source.range(of: unit.text, range: offset..<script.source.endIndex) else {
                    Issue.record("\(script.name) lacks \(unit.defines), or has it out of order")
                    continue
                }
                offset = range.upperBound
            }
        }
    }

    @Test("every JobField goes through enqueue into the job hash and back out through a claim unchanged")
    func jobFieldsRoundTrip() async throws {
        try await BrokerFixture.redis.with { broker in
            var job = JobSubmission(
                kind: "round.trip", queue: "q", tenant: "tenant-é", actor: "actor:1", payload: #"{"a":"\t"}"#,
                priority: 7, maxAttempts: 4, backoff: BackoffPolicy(baseMilliseconds: 11, maxMilliseconds: 222),
                leaseMilliseconds: 33_000, runTimeoutMilliseconds: 44_000, waitTimeoutMilliseconds: 55_000,
                idempotencyKey: "idem-1", parentBatch: "batch_1", delayMilliseconds: 0,
                // Recent enough for the wait timeout to let it be claimed.
                createdMilliseconds: Int(Date().timeIntervalSince1970 * 1000) - 1_000)
            job.traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            job.concurrencyKey = "lead:1"
            _ = try await broker.enqueue([job])
            let hash = try await broker.send(RedisCommand("HGETALL", [broker.keys("q").job(job.id)])).decodeFields("hash")
            for field in JobField.allCases where field != .delayMilliseconds {
                // A sparse field left empty is not written at all.
                let empty = JobField.sparse.contains(field) && field.encode(job).isEmpty
                #expect(hash[field.rawValue] == (empty ? nil : field.encode(job)), "\(field)")
            }
            #expect(hash[JobField.delayMilliseconds.rawValue] == nil)
            // An untraced job's hash has no trace field at all.
            let untraced = JobSubmission(kind: "round.trip", queue: "q2")
            _ = try await broker.enqueue([untraced])
            let plain = try await broker.send(RedisCommand("HGETALL", [broker.keys("q2").job(untraced.id)])).decodeFields("hash")
            #expect(plain[JobField.traceParent.rawValue] == nil && plain["kind"] == "round.trip")

            let claimed = try await broker.claimOne()
            #expect(claimed.id == job.id)
            #expect(claimed.kind == job.kind)
            #expect(claimed.tenant == job.tenant)
            #expect(claimed.payload == job.payload)
            #expect(claimed.priority == job.priority)
            #expect(claimed.maxAttempts == job.maxAttempts)
            #expect(claimed.leaseMilliseconds == job.leaseMilliseconds)
            #expect(claimed.createdMilliseconds == job.createdMilliseconds)
            #expect(claimed.leaseDeadlineMilliseconds == claimed.claimedMilliseconds + job.leaseMilliseconds)
            #expect(claimed.traceParent == job.traceParent)
        }
    }

    @Test("a corrupted job hash or event fails the read naming the field; the reader goes on after the event")
    func corruptedStorage() async throws {
        try await BrokerFixture.redis.with { broker in
            let job = submission()
            _ = try await broker.enqueue([job])
            _ = try await broker.send(RedisCommand("HSET", [broker.keys("q").job(job.id), "attempts", "many"]))
            await #expect { try await broker.job(queue: "q", id: job.id) } throws: {
                ($0 as? BrokerError)?.field == "job \(job.id) attempts"
            }

            let reader = try await broker.makeEventReader(queue: "q")
            do {
                let bad = try await broker.send(
                    RedisCommand("XADD", [broker.keys("q").events, "*", "job", job.id, "attempt", ""]))
                let position = try bad.decodeText("id")
                await #expect { try await reader.read(maxEvents: 10, wait: .seconds(1)) } throws: {
                    ($0 as? BrokerError)?.field == "event \(position).state"
                }
                let next = submission()
                _ = try await broker.enqueue([next])
                let events = try await reader.read(maxEvents: 10, wait: .seconds(1))
                #expect(events.map(\.jobID) == [next.id])
                await reader.close()
            } catch {
                await reader.close()
                throw error
            }
        }
    }

    /// A `jobs` row as `PostgresJobRecordStore.selectColumns` returns it.
    static func jobsRow(_ overrides: [Int: String?] = [:]) -> [String?] {
        var row: [String?] = [
            JobID.make(), "cpu", "test.job", "acme", "api", "{}", "0", "3", "1000", "60000", "30000", "0", "0",
            nil, nil, "0", "1700000000000", "queued", "0", nil, nil, nil, nil, nil,
        ]
        for (index, value) in overrides { row[index] = value }
        return row
    }

    @Test("a jobs row decodes column by column, and a NULL, a non-number or an unknown state throws naming the column")
    func recordRow() throws {
        let trace = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
        let job = try PostgresJobRecordStore.recordedJob(Self.jobsRow([13: "key-1", 18: "2", 22: trace, 23: "lead:7"]))
        #expect(job.submission.traceParent == trace)
        #expect(job.submission.concurrencyKey == "lead:7")
        #expect(job.submission.queue == "cpu")
        #expect(job.submission.maxAttempts == 3)
        #expect(job.submission.idempotencyKey == "key-1")
        #expect(job.submission.createdMilliseconds == 1_700_000_000_000)
        #expect(job.state == .queued)
        #expect(job.attempts == 2)

        expectMalformed("jobs.kind") { try PostgresJobRecordStore.recordedJob(Self.jobsRow([2: String?.none])) }
        expectMalformed("jobs.priority") { try PostgresJobRecordStore.recordedJob(Self.jobsRow([6: "high"])) }
        expectMalformed("jobs.state") { try PostgresJobRecordStore.recordedJob(Self.jobsRow([17: "sleeping"])) }
        expectMalformed("jobs") { try PostgresJobRecordStore.recordedJob(Array(Self.jobsRow().dropLast())) }
    }
}
