import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@Suite("Schedules API", .serialized)
struct SchedulesAPITests {
    static let job = #"{"kind":"cpu.task","payload":{"file":"nightly.csv"},"priority":-5}"#

    static func create(
        _ client: some TestClientProtocol, _ token: String, _ body: String
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/schedules", method: .post, headers: GatewayFixture.json(token), body: ByteBuffer(string: body))
    }

    @Test("make, read, list, edit, pause, resume and delete a schedule; other tenants see a 404")
    func lifecycle() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let made = try await Self.create(
                client, fixture.acme,
                #"{"name":"nightly-clean","cron":"30 2 * * *","time_zone":"Europe/London","job":\#(Self.job)}"#)
            #expect(made.status == .created)
            let body = made.body.json
            let id = try #require(body["id"] as? String)
            #expect(made.headers[.location] == "/v1/schedules/\(id)")
            #expect(body["overlap"] as? String == "skip")
            #expect(body["missed"] as? String == "skip")
            #expect(body["revision"] as? Int == 1)
            // 02:30 on the London clock, whatever the offset that day.
            let local = try #require(body["next_run_local"] as? String)
            #expect(local.contains("T02:30:00"))
            #expect((body["job"] as? [String: Any])?["kind"] as? String == "cpu.task")

            let read = try await client.execute(
                uri: "/v1/schedules/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(read.status == .ok)
            #expect(read.body.json["name"] as? String == "nightly-clean")
            for path in ["/v1/schedules/\(id)", "/v1/schedules/\(id)/runs"] {
                let other = try await client.execute(uri: path, method: .get, headers: GatewayFixture.auth(fixture.globex))
                #expect(other.status == .notFound, "\(path)")
            }
            let otherList = try await client.execute(
                uri: "/v1/schedules", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect((otherList.body.json["data"] as? [Any])?.isEmpty == true)

            let paused = try await client.execute(
                uri: "/v1/schedules/\(id)", method: .patch, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"paused":true,"cron":"0 */6 * * *","overlap":"allow"}"#))
            #expect(paused.status == .ok)
            #expect(paused.body.json["paused"] as? Bool == true)
            #expect(paused.body.json["next_run_at"] is NSNull || paused.body.json["next_run_at"] == nil)
            #expect(paused.body.json["overlap"] as? String == "allow")
            #expect(paused.body.json["name"] as? String == "nightly-clean")
            let resumed = try await client.execute(
                uri: "/v1/schedules/\(id)", method: .patch, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"paused":false}"#))
            #expect(resumed.body.json["revision"] as? Int == 3)
            #expect((resumed.body.json["next_run_local"] as? String)?.contains(":00:00") == true)

            let list = try await client.execute(
                uri: "/v1/schedules?limit=1", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect((list.body.json["data"] as? [[String: Any]])?.first?["id"] as? String == id)
            #expect(list.body.json["has_more"] as? Bool == false)

            let otherDelete = try await client.execute(
                uri: "/v1/schedules/\(id)", method: .delete, headers: GatewayFixture.auth(fixture.globex))
            #expect(otherDelete.status == .notFound)
            let deleted = try await client.execute(
                uri: "/v1/schedules/\(id)", method: .delete, headers: GatewayFixture.auth(fixture.acme))
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(
                uri: "/v1/schedules/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(gone.status == .notFound)
        }
    }

    @Test(
        "refusals name the field and store nothing",
        arguments: [
            (#"{"job":\#(job)}"#, 422, "cron"),
            (#"{"cron":"* * * * *"}"#, 422, "job"),
            (#"{"cron":"61 * * * *","job":\#(job)}"#, 422, "cron"),
            (#"{"cron":"0 0 30 2 *","job":\#(job)}"#, 422, "cron"),
            (#"{"cron":"* * * * *","time_zone":"EST","job":\#(job)}"#, 422, "time_zone"),
            (#"{"cron":"* * * * *","time_zone":"Mars/Olympus","job":\#(job)}"#, 422, "time_zone"),
            (#"{"cron":"* * * * *","overlap":"sometimes","job":\#(job)}"#, 422, "overlap"),
            (#"{"cron":"* * * * *","missed":"all","job":\#(job)}"#, 422, "missed"),
            (#"{"cron":"* * * * *","name":"a b","job":\#(job)}"#, 422, "name"),
            (#"{"cron":"* * * * *","job":[1]}"#, 422, "job"),
            (#"{"cron":"* * * * *","job":{"payload":{}}}"#, 422, "job.kind"),
            (#"{"cron":"* * * * *","job":{"kind":"nope.unknown"}}"#, 422, "job.kind"),
            (#"{"cron":"* * * * *","job":{"kind":"cpu.task","payload":[1]}}"#, 422, "job.payload"),
            (#"{"cron":"* * * * *","job":{"kind":"cpu.task","priority":"high"}}"#, 422, "job.priority"),
            (#"{"cron":"* * * * *","job":{"kind":"cpu.task","idempotency_key":"k"}}"#, 422, "job.idempotency_key"),
            (#"{"cron":"* * * * *","job":{"kind":"cpu.task","webhook_url":"http://127.0.0.1/x"}}"#, 422, "job.webhook_url"),
            (#"{"cron":"* * * * *","job":{"kind":"cpu.task","webhook_events":["job.exploded"]}}"#, 422, "job.webhook_events"),
        ])
    func refusals(body: String, status: Int, field: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await Self.create(client, fixture.acme, body)
            #expect(response.status.code == status, "\(body): \(String(buffer: response.body))")
            let error = response.body.json["error"] as? [String: Any]
            #expect((error?["details"] as? [String: String])?["field"] == field, "\(String(buffer: response.body))")
            let count = try await fixture.gateway.postgres.withConnection { try await $0.query("SELECT count(*) FROM schedules") }
            #expect(count.rows.first?[0] == "0")
        }
    }

    @Test("a bad edit changes nothing; a duplicate name is a 409; bad cursors are refused")
    func editRefusals() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let first = try await Self.create(client, fixture.acme, #"{"name":"a","cron":"@daily","job":\#(Self.job)}"#)
            let id = try #require(first.body.json["id"] as? String)
            _ = try await Self.create(client, fixture.acme, #"{"name":"b","cron":"@daily","job":\#(Self.job)}"#)
            let duplicate = try await Self.create(client, fixture.acme, #"{"name":"a","cron":"@hourly","job":\#(Self.job)}"#)
            #expect(duplicate.status == .conflict)
            for body in [#"{"cron":"nope"}"#, #"{"job":{"kind":"nope.unknown"}}"#, #"{"name":"b"}"#, #"{"time_zone":"EST"}"#] {
                let edit = try await client.execute(
                    uri: "/v1/schedules/\(id)", method: .patch, headers: GatewayFixture.json(fixture.acme),
                    body: ByteBuffer(string: body))
                #expect(edit.status == .unprocessableContent || edit.status == .conflict, "\(body)")
            }
            let after = try await client.execute(
                uri: "/v1/schedules/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(after.body.json["revision"] as? Int == 1)
            #expect(after.body.json["cron"] as? String == "@daily")
            for uri in ["/v1/schedules?cursor=x", "/v1/schedules?limit=0", "/v1/schedules/\(id)/runs?cursor=yesterday"] {
                let response = try await client.execute(uri: uri, method: .get, headers: GatewayFixture.auth(fixture.acme))
                #expect(response.status == .unprocessableContent, "\(uri)")
            }
        }
    }

    @Test("two gateways' schedulers make one job per tick, linked from the schedule's runs, submitted as its maker")
    func ticksBecomeJobs() async throws {
        try await GatewayFixture.withGateway(configure: { $0.schedulerEnabled = true }) { fixture, client in
            // A second scheduler on the same tables, as a second gateway would run.
            let second = try await GatewayFixture.make { configuration in
                configuration.postgresSchema = fixture.schema
                configuration.namespace = fixture.gateway.configuration.namespace
                configuration.schedulerEnabled = true
            }
            let made = try await Self.create(
                client, fixture.acme, #"{"cron":"* * * * * *","overlap":"allow","job":\#(Self.job)}"#)
            let id = try #require(made.body.json["id"] as? String)
            try await second.gateway.makeApplication().test(.router) { _ in
                try await eventually("three ticks ran") {
                    let runs = try await client.execute(
                        uri: "/v1/schedules/\(id)/runs", method: .get, headers: GatewayFixture.auth(fixture.acme))
                    return ((runs.body.json["data"] as? [[String: Any]]) ?? []).filter { $0["submitted_at"] is String }.count >= 3
                }
            }
            let paused = try await client.execute(
                uri: "/v1/schedules/\(id)", method: .patch, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"paused":true}"#))
            #expect(paused.status == .ok)
            let runs = try await client.execute(
                uri: "/v1/schedules/\(id)/runs?limit=500", method: .get, headers: GatewayFixture.auth(fixture.acme))
            let data = try #require(runs.body.json["data"] as? [[String: Any]])
            let ticks = data.compactMap { $0["tick_at"] as? String }
            #expect(Set(ticks).count == ticks.count)
            for run in data where run["submitted_at"] is String {
                let jobID = try #require(run["job_id"] as? String)
                #expect(run["job_url"] as? String == "/v1/jobs/\(jobID)")
                let job = try await client.execute(
                    uri: "/v1/jobs/\(jobID)", method: .get, headers: GatewayFixture.auth(fixture.acme))
                #expect(job.status == .ok)
                #expect(job.body.json["kind"] as? String == "cpu.task")
                #expect(job.body.json["priority"] as? Int == -5)
                let record = try await fixture.gateway.records.job(id: jobID)
                #expect(record?.submission.tenant == "acme")
                #expect(record?.submission.payload == #"{"file":"nightly.csv"}"#)
            }
            // One job per run, and no job beyond them.
            let jobs = try await fixture.gateway.postgres.withConnection {
                try await $0.query("SELECT count(*) FROM jobs WHERE kind = 'cpu.task'")
            }
            let submitted = data.filter { $0["job_id"] is String }.count
            #expect(Int(jobs.rows.first?[0] ?? "") == submitted)
            await second.tearDown()
        }
    }
}
