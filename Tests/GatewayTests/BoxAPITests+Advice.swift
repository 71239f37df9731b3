import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import RedisClient
import TestSupport
import Testing

@testable import GPUBox

extension BoxAPITests {
    static func advice(_ client: any TestClientProtocol, _ key: String, query: String = "") async throws -> TestResponse {
        try await client.execute(uri: "/v1/ops/mode/advice" + query, method: .get, headers: GatewayFixture.auth(key))
    }

    @Test("an LLM box with renders queued is advised media mode, with each mode's figures and the reasons")
    func modeAdvice() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .llm)
            for _ in 0..<6 {
                let submitted = try await client.execute(
                    uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                    body: ByteBuffer(string: #"{"kind":"dream_weaver.render","payload":\#(Self.renderPayload)}"#))
                #expect(submitted.status == .accepted)
            }
            // A heartbeat now, as the agent's loop makes: the submits may have outlasted its timeout
            // on a loaded machine, and only live boxes are advised.
            try await Self.publish(fixture.gateway, box: "box-1", mode: .llm)
            let response = try await Self.advice(client, fixture.operatorKey)
            #expect(response.status == .ok)
            let list = try #require(response.body.json["data"] as? [[String: Any]])
            #expect(list.count == 1)
            let advice = try #require(list.first)
            #expect(advice["box"] as? String == "box-1")
            #expect(advice["current"] as? String == "llm")
            #expect(advice["recommended"] as? String == "media")
            #expect(advice["switch_advised"] as? Bool == true)
            #expect((advice["media"] as? [String: Any])?["queued"] as? Int == 6)
            let options = try #require(advice["options"] as? [[String: Any]])
            try #require(options.map { $0["mode"] as? String } == ["media", "llm", "split"])
            // GPU 1 is unhealthy: media renders on GPU 0 alone; llm has none for renders.
            #expect(options[0]["media_gpus"] as? Int == 1)
            #expect(options[1]["finish_seconds"] == nil)
            let costs = try #require(advice["costs"] as? [String: Any])
            #expect(costs["render_seconds_measured"] as? Bool == false)
            #expect((advice["reasons"] as? [String])?.last?.hasPrefix("switch to media") == true)
            #expect((advice["targets"] as? [String: Any])?["render_wait_seconds"] as? Double == 300)
            #expect(options[0]["meets_targets"] as? Bool == true)
            // The box's own targets (its agent's mode_targets, published with its status) are
            // the ones planned for: no mode starts a render within a second.
            try await Self.publish(
                fixture.gateway, box: "box-1", mode: .llm, targets: .init(renderWaitSeconds: 1, chatWaitSeconds: 5))
            let tight = try #require(
                (try await Self.advice(client, fixture.operatorKey)).body.json["data"] as? [[String: Any]]
            ).first
            #expect((tight?["targets"] as? [String: Any])?["render_wait_seconds"] as? Double == 1)
            #expect((tight?["options"] as? [[String: Any]])?.map { $0["meets_targets"] as? Bool } == [false, false, false])
            #expect((tight?["reasons"] as? [String])?.last?.hasPrefix("no mode meets the interactive targets") == true)
            // The same advice in /metrics.
            try await Self.publish(fixture.gateway, box: "box-1", mode: .llm)
            let text = String(
                buffer: try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme)).body)
            #expect(text.contains(#"velocity_box_mode_advised{box="box-1",mode="media"} 1"#))
            #expect(text.contains(#"velocity_box_mode_advised{box="box-1",mode="llm"} 0"#))
            #expect(text.contains(#"velocity_box_mode_advice_finish_seconds{box="box-1",mode="llm"} -1"#))
            // One box by name.
            try await Self.publish(fixture.gateway, box: "box-1", mode: .llm)
            let one = try await Self.advice(client, fixture.operatorKey, query: "?box=box-1")
            #expect((one.body.json["data"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("a batch with a window is planned for: each mode says whether it finishes the batch in time")
    func modeAdviceWindows() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let broker = fixture.gateway.broker
            let lines = (0..<20).map { n in
                JobSubmission(
                    kind: "llm.batch_line", queue: "llm", tenant: "acme", payload: #"{"n":\#(n)}"#, priority: -500,
                    parentBatch: "batch_w")
            }
            _ = try await broker.enqueue(lines)
            let due = Int(Date().timeIntervalSince1970 * 1000) + 3_600_000
            try await broker.setBatchWindow(queue: "llm", parent: "batch_w", dueMilliseconds: due)
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            let response = try await Self.advice(client, fixture.operatorKey)
            #expect(response.status == .ok)
            let advice = try #require((response.body.json["data"] as? [[String: Any]])?.first)
            let windows = try #require((advice["llm"] as? [String: Any])?["windows"] as? [[String: Any]])
            #expect(windows.count == 1)
            #expect(windows.first?["batch"] as? String == "batch_w" && windows.first?["queued"] as? Int == 20)
            let left = try #require(windows.first?["due_in_seconds"] as? Double)
            #expect(left > 3_500 && left <= 3_600)
            let options = try #require(advice["options"] as? [[String: Any]])
            let missed = Dictionary(
                uniqueKeysWithValues: options.map { ($0["mode"] as? String ?? "", $0["windows_missed"] as? Int) })
            // GPU 1 is unhealthy: split's one usable GPU renders, so only llm runs the lines.
            #expect(missed == ["media": 1, "llm": 0, "split": 1])
            #expect(advice["recommended"] as? String == "llm")
            #expect(
                (advice["reasons"] as? [String])?.contains { $0.hasPrefix("batch windows: batch_w (20 lines, due in") } == true)
            // The metrics scrape, which reads the windows once for the advice and the gauges, advises the same.
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            let text = String(
                buffer: try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme)).body)
            #expect(text.contains(#"velocity_box_mode_advised{box="box-1",mode="llm"} 1"#), "\(text.prefix(2_000))")
        }
    }

    @Test("mode advice is refused: submitter 403, unknown box 404, a box whose agent is down 409")
    func modeAdviceRefusals() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            #expect(try await Self.advice(client, fixture.acme).status == .forbidden)
            let unknown = try await Self.advice(client, fixture.operatorKey, query: "?box=box-9")
            #expect(unknown.status == .notFound)
            // The agent's last heartbeat long ago.
            _ = try await fixture.gateway.redis.send(RedisCommand("SET", [fixture.gateway.boxes.heartbeatKey("box-1"), "0"]))
            let down = try await Self.advice(client, fixture.operatorKey, query: "?box=box-1")
            #expect(down.status == .conflict)
            #expect(Self.errorCode(down) == "agent_down")
            // Without a box named, a dead box is left out.
            let all = try await Self.advice(client, fixture.operatorKey)
            #expect(all.status == .ok)
            #expect((all.body.json["data"] as? [[String: Any]])?.isEmpty == true)
        }
    }
}
