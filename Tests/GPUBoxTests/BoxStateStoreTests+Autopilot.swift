import Foundation
import GPUBox
import Testing

extension BoxStateStoreTests {
    static func setting(enabled: Bool) -> AutopilotSetting {
        AutopilotSetting(
            enabled: enabled, minDwellSeconds: 300, minGainSeconds: 60, confirmSeconds: 5, changedBy: "acme:ops",
            changedAtMilliseconds: 1_000, note: nil)
    }

    @Test(
        "the autopilot's request goes in only while it is on and follows the request the agent handled last",
        arguments: Server.allCases)
    func autopilotRequests(_ server: Server) async throws {
        try await withStore(server) { store in
            try await store.publish(BoxStatus(box: "box-a", mode: .media, desiredMode: nil, heartbeatMilliseconds: 0, gpus: []))
            let automatic = ModeRequest(box: "box-a", mode: .llm, requestedBy: ModeRequest.autopilot, reason: "llm is sooner")
            // Never set: off.
            #expect(try await store.autopilot(box: "box-a") == nil)
            #expect(try await !store.requestAutomatically(automatic, handledID: nil))
            try await store.setAutopilot(Self.setting(enabled: false), box: "box-a")
            #expect(try await !store.requestAutomatically(automatic, handledID: nil))
            #expect(try await store.desired(box: "box-a") == nil)
            // On, and nothing asked yet: it goes in, reason and all.
            try await store.setAutopilot(Self.setting(enabled: true), box: "box-a")
            #expect(try await store.box("box-a")?.autopilot == Self.setting(enabled: true))
            #expect(try await store.requestAutomatically(automatic, handledID: nil))
            #expect(try await store.desired(box: "box-a") == automatic)
            // An agent that has not taken that request up yet cannot replace it.
            let second = ModeRequest(box: "box-a", mode: .split, requestedBy: ModeRequest.autopilot, reason: "split")
            #expect(try await !store.requestAutomatically(second, handledID: nil))
            #expect(try await store.requestAutomatically(second, handledID: automatic.id))
            #expect(try await store.desired(box: "box-a")?.mode == .split)
        }
    }

    @Test("an operator's explicit mode turns the autopilot off in the same step, saying who and why", arguments: Server.allCases)
    func operatorTakesControl(_ server: Server) async throws {
        try await withStore(server) { store in
            try await store.publish(BoxStatus(box: "box-a", mode: .llm, desiredMode: nil, heartbeatMilliseconds: 0, gpus: []))
            try await store.setAutopilot(Self.setting(enabled: true), box: "box-a")
            let explicit = ModeRequest(box: "box-a", mode: .media, requestedBy: "acme:alice", requestedAtMilliseconds: 5_000)
            #expect(try await store.request(explicit))
            #expect(try await store.desired(box: "box-a") == explicit)
            let paused = try #require(try await store.autopilot(box: "box-a"))
            #expect(!paused.enabled)
            #expect(paused.changedBy == "acme:alice" && paused.changedAtMilliseconds == 5_000)
            #expect(paused.note == "acme:alice chose media mode: the autopilot waits until an operator turns it on again")
            // The hysteresis survives the round trip through the script.
            #expect(paused.minDwellSeconds == 300 && paused.minGainSeconds == 60 && paused.confirmSeconds == 5)
            // The autopilot cannot override it now, even naming the operator's request.
            let automatic = ModeRequest(box: "box-a", mode: .llm, requestedBy: ModeRequest.autopilot, reason: "llm")
            #expect(try await !store.requestAutomatically(automatic, handledID: explicit.id))
            // A second explicit request finds it off already.
            #expect(try await !store.request(ModeRequest(box: "box-a", mode: .split, requestedBy: "acme:alice")))
            // Handed back: on again.
            try await store.setAutopilot(Self.setting(enabled: true), box: "box-a")
            #expect(try await store.autopilot(box: "box-a")?.enabled == true)
        }
    }
}
