import Broker
import Foundation
import GPUBox
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TestSupport
import Testing

extension ByteBuffer {
    fileprivate var text: String { String(buffer: self) }
}

@Suite("GPU boxes: /v1/gpus, /v1/ops/mode, waiting reasons, box metrics")
struct BoxAPITests {
    static func publish(
        _ gateway: Gateway, box: String, mode: BoxMode?, restarts: [String: Int] = [:], targets: ModeAdvisor.Targets? = nil
    ) async throws {
        try await gateway.boxes.publish(
            BoxStatus(
                box: box, mode: mode, desiredMode: nil, heartbeatMilliseconds: 0, backendRestarts: restarts,
                gpus: [
                    GPUStatus(
                        index: 0, uuid: "GPU-0", name: "NVIDIA L4", role: "media", backend: "comfyui@0",
                        backendState: "consuming", currentJob: nil, utilizationPercent: 40, memoryUsedMiB: 100,
                        memoryTotalMiB: 23034),
                    GPUStatus(
                        index: 1, uuid: "GPU-1", name: "NVIDIA L4", health: .unhealthy, healthReason: "2 uncorrected ECC errors"),
                ], targets: targets))
    }

    static func errorCode(_ response: TestResponse) -> String? {
        (response.body.json["error"] as? [String: Any])?["code"] as? String
    }

    static func switchMode(_ client: any TestClientProtocol, _ key: String, _ body: String) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/ops/mode", method: .post, headers: GatewayFixture.json(key), body: ByteBuffer(string: body))
    }

    @Test("GET /v1/gpus lists each box with its GPUs, mode, heartbeat and served queues")
    func listsBoxes() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .split)
            let response = try await client.execute(uri: "/v1/gpus", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(response.status == .ok)
            let boxes = try #require(response.body.json["data"] as? [[String: Any]])
            #expect(boxes.count == 1)
            #expect(boxes[0]["box"] as? String == "box-1")
            #expect(boxes[0]["mode"] as? String == "split")
            #expect(boxes[0]["alive"] as? Bool == true)
            #expect(boxes[0]["queues"] as? [String] == ["media", "llm"])
            let gpus = try #require(boxes[0]["gpus"] as? [[String: Any]])
            #expect(gpus.map { $0["health"] as? String } == ["healthy", "unhealthy"])
            #expect(gpus[1]["health_reason"] as? String == "2 uncorrected ECC errors")
            #expect(gpus[0]["backend_state"] as? String == "consuming")
        }
    }

    @Test("an operator's mode request is stored for the box's agent and answered 202")
    func requestsASwitch() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            let response = try await Self.switchMode(client, fixture.operatorKey, #"{"mode":"llm"}"#)
            #expect(response.status == .accepted)
            let id = try #require(response.body.json["id"] as? String)
            #expect(response.body.json["from"] as? String == "media")
            #expect(response.body.json["agent_alive"] as? Bool == true)
            let desired = try #require(try await fixture.gateway.boxes.desired(box: "box-1"))
            #expect(desired.id == id)
            #expect(desired.mode == .llm)
        }
    }

    @Test("mode requests are refused: submitter 403, bad mode 422, unknown box 404, no box 409, ambiguous box 422")
    func refusesBadModeRequests() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            var response = try await Self.switchMode(client, fixture.operatorKey, #"{"mode":"media"}"#)
            #expect(response.status == .conflict)
            #expect(Self.errorCode(response) == "no_box")

            try await Self.publish(fixture.gateway, box: "box-1", mode: .media)
            response = try await Self.switchMode(client, fixture.acme, #"{"mode":"llm"}"#)
            #expect(response.status == .forbidden)
            response = try await Self.switchMode(client, fixture.operatorKey, #"{"mode":"gaming"}"#)
            #expect(response.status == .unprocessableContent)
            #expect(Self.errorCode(response) == "invalid_request")
            response = try await Self.switchMode(client, fixture.operatorKey, #"{"mode":"llm","box":"box-9"}"#)
            #expect(response.status == .notFound)
            response = try await Self.switchMode(client, fixture.operatorKey, #"{"mode":"#)
            #expect(response.status == .badRequest)

            try await Self.publish(fixture.gateway, box: "box-2", mode: .llm)
            response = try await Self.switchMode(client, fixture.operatorKey, #"{"mode":"split"}"#)
            #expect(response.status == .unprocessableContent)
            #expect(try await fixture.gateway.boxes.desired(box: "box-1") == nil)
            #expect(try await fixture.gateway.boxes.desired(box: "box-2") == nil)
        }
    }

    /// A `dream_weaver.render` payload as the gateway's upload route writes it.
    static let renderPayload = #"""
        {"input_blob":"dream-weaver/x/input.png","room_type":"living_room","style":"warm","seed":null,
         "image":{"format":"png","width":8,"height":8,"bytes":100},"output_blob":"dream-weaver/x/output.png"}
        """#

    @Test("a queued media job says why it waits when no box serves media")
    func waitingReason() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .llm)
            let submitted = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"dream_weaver.render","payload":\#(Self.renderPayload)}"#))
            let id = try #require(submitted.body.json["id"] as? String)
            var status = try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(status.body.json["waiting_reason"] as? String == "waiting: no media capacity, box box-1 in llm mode")

            try await Self.publish(fixture.gateway, box: "box-1", mode: .split)
            status = try await client.execute(uri: "/v1/jobs/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(status.body.json["waiting_reason"] == nil)
        }
    }

    @Test("/metrics exports the box gauges and backend restarts under the names in GatewayMetrics.names")
    func boxMetrics() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media, restarts: ["comfyui@0": 2])
            var text = try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme)).body
                .text
            #expect(text.contains(#"velocity_agent_up{box="box-1"} 1"#))
            #expect(text.contains(#"velocity_box_mode{box="box-1",mode="media"} 1"#))
            #expect(text.contains(#"velocity_gpu_healthy{box="box-1",gpu="1"} 0"#))
            #expect(text.contains(#"velocity_backend_restarts_total{box="box-1",backend="comfyui@0"} 2"#))
            try await Self.publish(fixture.gateway, box: "box-1", mode: .media, restarts: ["comfyui@0": 3])
            text = try await client.execute(uri: "/metrics", method: .get, headers: GatewayFixture.auth(fixture.acme)).body.text
            #expect(text.contains(#"velocity_backend_restarts_total{box="box-1",backend="comfyui@0"} 3"#))
            let exported = Set(
                text.split(separator: "\n").compactMap { line -> String? in
                    guard !line.hasPrefix("#") else { return nil }
                    return String(line.prefix { $0 != "{" && $0 != " " })
                }.map {
                    $0.replacingOccurrences(of: "_bucket", with: "").replacingOccurrences(of: "_sum", with: "")
                        .replacingOccurrences(of: "_count", with: "")
                })
            for name in exported { #expect(GatewayMetrics.names.contains(name), "\(name) is exported but not listed") }
        }
    }
}
