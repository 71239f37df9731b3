import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

@testable import GPUBox

extension BoxAPITests {
    static func autopilot(_ client: any TestClientProtocol, _ key: String, _ body: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/ops/mode/autopilot", method: .put, headers: GatewayFixture.json(key), body: ByteBuffer(string: body))
    }

    @Test("an operator turns a box's autopilot on with its hysteresis; /v1/gpus shows it; an explicit mode turns it off")
    func autopilotOnAndOff() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            let on = try await Self.autopilot(
                client, fixture.operatorKey, #"{"enabled":true,"min_dwell_seconds":900,"confirm_seconds":10}"#)
            #expect(on.status == .ok)
            let body = on.body.json
            #expect(body["object"] as? String == "autopilot")
            #expect(body["box"] as? String == "box-1")
            #expect(body["enabled"] as? Bool == true)
            #expect(body["min_dwell_seconds"] as? Double == 900)
            #expect(body["min_gain_seconds"] as? Double == 120)  // the default, left out
            #expect(body["confirm_seconds"] as? Double == 10)
            #expect((body["changed_by"] as? String)?.isEmpty == false)
            // A change of one field keeps the others.
            let tuned = try await Self.autopilot(client, fixture.operatorKey, #"{"enabled":true,"min_gain_seconds":30}"#)
            #expect(tuned.body.json["min_dwell_seconds"] as? Double == 900)
            #expect(tuned.body.json["min_gain_seconds"] as? Double == 30)
            let gpus = try await client.execute(uri: "/v1/gpus", method: .get, headers: GatewayFixture.auth(fixture.operatorKey))
            let box = try #require((gpus.body.json["data"] as? [[String: Any]])?.first)
            #expect((box["autopilot"] as? [String: Any])?["enabled"] as? Bool == true)
            let metrics = String(
                buffer: try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme)).body)
            #expect(metrics.contains(#"velocity_box_autopilot_enabled{box="box-1"} 1"#))
            #expect(metrics.contains(#"velocity_box_autopilot_switches{box="box-1"} 0"#))

            // The operator's explicit mode takes control back.
            let switched = try await Self.switchMode(client, fixture.operatorKey, #"{"mode":"llm"}"#)
            #expect(switched.status == .accepted)
            #expect(switched.body.json["autopilot_paused"] as? Bool == true)
            let paused = try #require(try await fixture.gateway.boxes.autopilot(box: "box-1"))
            #expect(!paused.enabled && paused.minDwellSeconds == 900)
            #expect(paused.note?.contains("chose llm mode") == true)
            // Already off: the next explicit mode pauses nothing.
            let again = try await Self.switchMode(client, fixture.operatorKey, #"{"mode":"media"}"#)
            #expect(again.body.json["autopilot_paused"] as? Bool == false)
            // Handed back.
            let back = try await Self.autopilot(client, fixture.operatorKey, #"{"enabled":true,"box":"box-1"}"#)
            #expect(back.body.json["enabled"] as? Bool == true)
            #expect(try await fixture.gateway.boxes.autopilot(box: "box-1")?.enabled == true)
        }
    }

    @Test("autopilot changes are refused: submitter 403, unknown box 404, no box 409, bad fields 422; nothing changes")
    func autopilotRefusals() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let none = try await Self.autopilot(client, fixture.operatorKey, #"{"enabled":true}"#)
            #expect(none.status == .conflict)
            #expect(Self.errorCode(none) == "no_box")
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            #expect(try await Self.autopilot(client, fixture.acme, #"{"enabled":true}"#).status == .forbidden)
            let unknown = try await Self.autopilot(client, fixture.operatorKey, #"{"enabled":true,"box":"box-9"}"#)
            #expect(unknown.status == .notFound)
            for (body, field) in [
                (#"{"enabled":true,"min_dwell_seconds":-1}"#, "min_dwell_seconds"),
                (#"{"enabled":true,"min_gain_seconds":1e9}"#, "min_gain_seconds"),
                (#"{"enabled":true,"confirm_seconds":3601}"#, "confirm_seconds"),
                (#"{"enabled":true,"note":"\#(String(repeating: "n", count: 501))"}"#, "note"),
            ] {
                let refused = try await Self.autopilot(client, fixture.operatorKey, body)
                #expect(refused.status == .unprocessableContent, "\(body)")
                #expect(
                    ((refused.body.json["error"] as? [String: Any])?["details"] as? [String: Any])?["field"] as? String == field,
                    "\(body)")
            }
            let missing = try await Self.autopilot(client, fixture.operatorKey, #"{"min_dwell_seconds":60}"#)
            #expect(missing.status.code >= 400 && missing.status.code < 500)
            try await Self.publish(fixture.gateway, box: "box-2", mode: .llm)
            let ambiguous = try await Self.autopilot(client, fixture.operatorKey, #"{"enabled":true}"#)
            #expect(ambiguous.status == .unprocessableContent)
            // Nothing was set by any of them.
            #expect(try await fixture.gateway.boxes.autopilot(box: "box-1") == nil)
            #expect(try await fixture.gateway.boxes.autopilot(box: "box-2") == nil)
        }
    }
}
