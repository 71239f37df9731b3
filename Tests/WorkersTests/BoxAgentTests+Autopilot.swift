import Broker
import Foundation
import GPUBox
import TestSupport
import Testing

@testable import Workers

/// The box's autopilot end to end: real Redis, PostgreSQL and emulated backends.
/// (In the box agent's serialized suite: agents with emulator processes run one at a time.)
extension BoxAgentTests {
    @Test("the autopilot switches by itself, audited with its reason; an operator's mode stops it until handed back")
    func autopilotFollowsTheAdvice() async throws {
        let fixture = try await AgentFixture.make(gpus: 2) { $0.autopilotIntervalMilliseconds = 100 }
        let box = fixture.configuration.box
        let eager = AutopilotSetting(
            enabled: true, minDwellSeconds: 0, minGainSeconds: 0, confirmSeconds: 0, changedBy: "test",
            changedAtMilliseconds: 0)
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            try await fixture.store.setAutopilot(eager, box: box)
            // Chats on a media box: media mode never serves them; llm mode, after a switch as short as
            // the start just measured, serves them within the chat target.
            let chats = try await (0..<4).asyncMap { try await fixture.submitChat("hello \($0)") }
            let llm = try await fixture.waitForMode(.llm)
            #expect(llm.autopilot?.switches == 1)
            let automatic = try #require(try await fixture.store.desired(box: box))
            #expect(automatic.requestedBy == ModeRequest.autopilot)
            #expect(automatic.reason?.hasPrefix("media misses the interactive targets and llm meets them") == true)
            #expect(llm.lastSwitch?.id == automatic.id && llm.lastSwitch?.outcome == "switched")
            #expect(try await fixture.waitForJobs(chats, queue: "llm").allSatisfy { $0.state == .succeeded })
            let rows = try await fixture.records.pool.withConnection { connection in
                try await connection.query(
                    "SELECT requested_by, request_reason, outcome FROM box_mode_switches WHERE id = $1", [automatic.id])
            }
            #expect(rows.first?["requested_by"] == "autopilot")
            #expect(rows.first?["request_reason"] == automatic.reason)

            // The operator takes control: media, and the autopilot stays off with chats queued.
            let explicit = ModeRequest(box: box, mode: .media, requestedBy: "acme:alice")
            #expect(try await fixture.store.request(explicit))
            _ = try await fixture.waitForMode(.media)
            let waiting = try await (0..<3).asyncMap { try await fixture.submitChat("later \($0)") }
            let held = try await fixture.waitForBox("the autopilot reports it is off") {
                $0.autopilot?.reason.hasPrefix("the autopilot is off: acme:alice chose media mode") == true
            }
            #expect(held.mode == .media && held.autopilot?.switches == 1)
            #expect(try await fixture.store.desired(box: box) == explicit)

            // Handed back: it switches again for the chats that waited.
            try await fixture.store.setAutopilot(eager, box: box)
            let again = try await fixture.waitForMode(.llm)
            #expect(again.autopilot?.switches == 2)
            #expect(try await fixture.waitForJobs(waiting, queue: "llm").allSatisfy { $0.state == .succeeded })
        }
    }
}
