import Foundation
import Gateway
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

/// `velocity schedules …` against a live gateway.
@Suite("velocity schedules")
struct SchedulesCommandTests {
    @Test("create, list, pause, resume, edit, runs and delete from the command line; refusals exit 1 naming the field")
    func commandLine() async throws {
        let fixture = try await GatewayFixture.make()
        do {
            try await fixture.gateway.makeApplication().test(.live) { client in
                let environment = ["VELOCITY_GATEWAY_URL": "http://127.0.0.1:\(client.port!)", "VELOCITY_API_KEY": fixture.acme]
                func velocity(_ arguments: String...) async throws -> VelocityBinary.Outcome {
                    try await VelocityBinary.run(["schedules"] + arguments, environment: environment)
                }
                let created = try await velocity(
                    "create", "--name", "signals", "--cron", "*/5 * * * *", "--tz", "America/New_York", "--kind", "cpu.task",
                    "--payload", #"{"poll":"signals"}"#, "--json")
                #expect(created.status == 0, "\(created.stderr)")
                let id = try #require(
                    (try JSONSerialization.jsonObject(with: Data(created.stdout.utf8)) as? [String: Any])?["id"] as? String)
                let list = try await velocity("list")
                #expect(list.stdout.contains(id) && list.stdout.contains("signals") && list.stdout.contains("America/New_York"))
                let paused = try await velocity("pause", id, "--json")
                #expect(paused.stdout.contains(#""paused":true"#))
                #expect(try await velocity("list").stdout.contains("paused"))
                let resumed = try await velocity("resume", id, "--json")
                #expect(resumed.stdout.contains(#""paused":false"#))
                let edited = try await velocity("edit", id, "--cron", "@hourly", "--overlap", "allow", "--json")
                #expect(edited.status == 0, "\(edited.stderr)")
                #expect(edited.stdout.contains(#""cron":"@hourly""#) && edited.stdout.contains(#""overlap":"allow""#))
                #expect(try await velocity("runs", id).status == 0)

                let badCron = try await velocity("create", "--cron", "61 * * * *", "--kind", "cpu.task")
                #expect(badCron.status == 1 && badCron.stderr.contains("minute '61'"), "\(badCron.stderr)")
                let badKind = try await velocity("create", "--cron", "@daily", "--kind", "nope.unknown")
                #expect(badKind.status == 1 && badKind.stderr.contains("job.kind"), "\(badKind.stderr)")
                let noKind = try await velocity("create", "--cron", "@daily")
                #expect(noKind.status != 0 && noKind.stderr.contains("--kind or --job"), "\(noKind.stderr)")

                let deleted = try await velocity("delete", id)
                #expect(deleted.stdout == "deleted \(id)\n")
                let gone = try await velocity("get", id)
                #expect(gone.status == 1 && gone.stderr.contains("not_found"))
            }
        } catch {
            await fixture.tearDown()
            throw error
        }
        await fixture.tearDown()
    }
}
