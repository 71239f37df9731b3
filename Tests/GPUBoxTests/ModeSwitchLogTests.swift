import Broker
import GPUBox
import TestSupport
import Testing

@Suite struct ModeSwitchLogTests {
    @Test func recordsASwitchItsStepsAndItsEnd() async throws {
        let records = try await TestRecordStore.make()
        do {
            let log = ModeSwitchLog(postgres: records.pool)
            try await log.migrate()
            try await log.migrate()  // idempotent: an agent restarts
            let request = ModeRequest(box: "box-a", mode: .llm, requestedBy: "key:ops")
            try await log.begin(request, from: .media)
            try await log.begin(request, from: .media)  // the same request seen again keeps one row
            try await log.event(switchID: request.id, step: .stopLeasing, mode: .llm, status: .started)
            try await log.event(switchID: request.id, step: .stopLeasing, mode: .llm, status: .succeeded)
            try await log.event(switchID: request.id, step: .healthCheck, mode: .llm, status: .failed, message: "llm: not ready")
            try await log.finish(switchID: request.id, outcome: .rolledBack(to: .media, reason: "health_check failed"))

            let events = try await log.events(switchID: request.id)
            #expect(events.map(\.status) == [.started, .succeeded, .failed])
            #expect(events.last?.message == "llm: not ready")
            let rows = try await records.pool.withConnection { connection in
                try await connection.query(
                    "SELECT from_mode, to_mode, requested_by, outcome, final_mode, reason FROM box_mode_switches")
            }
            #expect(rows.count == 1)
            #expect(rows.first?["from_mode"] == "media")
            #expect(rows.first?["outcome"] == "rolled_back")
            #expect(rows.first?["final_mode"] == "media")
            #expect(rows.first?["reason"] == "health_check failed")
        } catch {
            await records.tearDown()
            throw error
        }
        await records.tearDown()
    }

    @Test("an automatic switch is audited with who asked (the autopilot) and why")
    func recordsTheRequestReason() async throws {
        let records = try await TestRecordStore.make()
        do {
            let log = ModeSwitchLog(postgres: records.pool)
            try await log.migrate()
            let request = ModeRequest(
                box: "box-a", mode: .media, requestedBy: ModeRequest.autopilot,
                reason: "media finishes the queued work 300 s sooner")
            try await log.begin(request, from: .llm)
            let rows = try await records.pool.withConnection { connection in
                try await connection.query(
                    "SELECT requested_by, request_reason FROM box_mode_switches WHERE id = $1", [request.id])
            }
            #expect(rows.first?["requested_by"] == "autopilot")
            #expect(rows.first?["request_reason"] == "media finishes the queued work 300 s sooner")
        } catch {
            await records.tearDown()
            throw error
        }
        await records.tearDown()
    }
}
