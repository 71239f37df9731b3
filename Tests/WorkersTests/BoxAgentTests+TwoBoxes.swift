import BlobStore
import Broker
import CurlClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Images
import NIOCore
import TestSupport
import Testing

@testable import Workers

/// More than one of everything: two gateways and two GPU boxes (each an agent with its own
/// emulated GPUs and ComfyUIs) on one Redis namespace, one Postgres schema and one blob store.
extension BoxAgentTests {
    @Test("two gateways and two boxes share the queues: every render runs once, and both gateways show both boxes")
    func twoGatewaysTwoBoxes() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vj-two-boxes-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let blobs = try FileBlobStore(root: root)
        let first = try await AgentFixture.make(gpus: 2, blobs: blobs)
        let namespace = first.broker.namespace
        let second = try await AgentFixture.make(gpus: 2, blobs: blobs, namespace: namespace) { $0.box = "box-b-\(namespace)" }

        let configuration = try await Self.gatewayConfiguration(namespace: namespace, blobDirectory: root.path)
        // One after the other: the second finds the schema migrated.
        let gateways = [
            try await Gateway.connect(configuration, blobs: blobs), try await Gateway.connect(configuration, blobs: blobs),
        ]
        let key = try await gateways[0].keys.create(tenant: "acme", role: .operator).token
        let boxes = Set([first.configuration.box, second.configuration.box])

        do {
            try await renderThroughBoth(first, second, gateways, key: key, boxes: boxes)
        } catch {
            await Self.close(gateways, configuration)
            throw error
        }
        await Self.close(gateways, configuration)
    }

    @Test("two boxes in llm mode share the llm queue: every chat runs once, on both boxes' servers")
    func twoBoxesShareChats() async throws {
        let first = try await AgentFixture.make(gpus: 2, mode: .llm)
        let namespace = first.broker.namespace
        let second = try await AgentFixture.make(gpus: 2, mode: .llm, namespace: namespace) { $0.box = "box-b-\(namespace)" }
        let chats = 40
        try await first.withAgent { _ in
            try await second.withAgent { _ in
                _ = try await first.waitForMode(.llm)
                _ = try await second.waitForMode(.llm)
                // Each server's readiness check was a chat of its own: count from here.
                let before = try await Self.completedChats([first, second])
                let ids = try await (0..<chats).asyncMap { try await first.submitChat("question \($0)") }
                let jobs = try await first.waitForJobs(ids, queue: "llm")
                #expect(jobs.allSatisfy { $0.state == .succeeded && $0.attempts == 1 }, "\(jobs.map { ($0.state, $0.attempts) })")
                // Each box's dispatcher took some: the worker id a job records starts with its box.
                let ranOn = Set(jobs.compactMap { $0.worker?.split(separator: "/").first.map(String.init) })
                #expect(ranOn == [first.configuration.box, second.configuration.box], "ran on \(ranOn)")
                // And each chat reached one server once: the two emulators completed one request per job.
                let completed = try await Self.completedChats([first, second]) - before
                #expect(completed == chats, "the servers completed \(completed) chats for \(chats) jobs")
            }
        }
    }

    /// The chats the boxes' emulated LLM servers have completed, all together.
    static func completedChats(_ fixtures: [AgentFixture]) async throws -> Int {
        var completed = 0
        for fixture in fixtures {
            let response = try await fixture.http.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(fixture.configuration.llmPort)/emulator/stats"))
            let stats = try JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]
            completed += try #require(stats?["completed"] as? Int, "\(String(decoding: response.body, as: UTF8.self))")
        }
        return completed
    }

    static func close(_ gateways: [Gateway], _ configuration: GatewayConfiguration) async {
        for gateway in gateways { await gateway.close() }
        await dropSchema(of: configuration)
    }

    func renderThroughBoth(_ first: AgentFixture, _ second: AgentFixture, _ gateways: [Gateway], key: String, boxes: Set<String>)
        async throws
    {
        let renders = 8
        try await first.withAgent { _ in
            try await second.withAgent { _ in
                _ = try await first.waitForMode(.media)
                _ = try await second.waitForMode(.media)
                try await gateways[0].makeApplication().test(.router) { one in
                    try await gateways[1].makeApplication().test(.router) { other in
                        let clients: [any TestClientProtocol] = [one, other]
                        var ids: [String] = []
                        for index in 0..<renders {
                            ids.append(try await Self.uploadRender(clients[index % 2], key: key, style: "style \(index)"))
                        }
                        // Each followed through the gateway that did not take it.
                        for (index, id) in ids.enumerated() {
                            var status = ""
                            try await eventually("render \(index) ends", limit: .seconds(90)) {
                                let response = try await clients[(index + 1) % 2].execute(
                                    uri: "/dream-weaver/status/\(id)", method: .get, headers: [.authorization: "Bearer \(key)"])
                                status = (response.body.jsonObject["status"] as? String) ?? ""
                                return ["succeeded", "failed", "dead"].contains(status)
                            }
                            #expect(status == "succeeded", "render \(index)")
                        }
                        // Ran once: one attempt each, and one prompt each across the four ComfyUIs.
                        for id in ids {
                            let snapshot = try await first.broker.broker.job(queue: "media", id: id)
                            #expect(snapshot?.attempts == 1, "\(id) took \(snapshot?.attempts ?? 0) attempts")
                        }
                        // The worker deletes a prompt's history once read, so the renders are
                        // counted where ComfyUI wrote them: each GPU's output directory.
                        var outputs: [String] = []
                        for fixture in [first, second] {
                            for gpu in 0..<2 {
                                let directory = fixture.configuration.workDirectory + "/comfyui-\(gpu)/output"
                                let files = (try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []
                                outputs += files.filter { $0.hasSuffix(".png") }.map {
                                    "\(fixture.configuration.box)/\(gpu)/\($0)"
                                }
                            }
                        }
                        #expect(outputs.count == renders, "\(outputs.count) renders were made: \(outputs)")
                        // Both gateways see both boxes, on /v1/gpus and on the dashboard.
                        for client in clients {
                            let gpus = try await client.execute(
                                uri: "/v1/gpus", method: .get, headers: [.authorization: "Bearer \(key)"])
                            let listed = (gpus.body.jsonObject["data"] as? [[String: Any]] ?? []).compactMap {
                                $0["box"] as? String
                            }
                            #expect(Set(listed) == boxes, "/v1/gpus lists \(listed)")
                            let overview = try await client.execute(
                                uri: "/v1/dashboard/overview", method: .get, headers: [.authorization: "Bearer \(key)"])
                            let shown = (overview.body.jsonObject["boxes"] as? [[String: Any]] ?? []).compactMap {
                                $0["box"] as? String
                            }
                            #expect(Set(shown) == boxes, "the dashboard shows \(shown)")
                        }
                    }
                }
            }
        }
    }

    /// `POST /dream-weaver` of a small generated photo; returns the job id.
    static func uploadRender(_ client: any TestClientProtocol, key: String, style: String) async throws -> String {
        var pixels: [UInt8] = []
        for y in 0..<24 { for x in 0..<32 { pixels += [UInt8(x * 8), UInt8(y * 10), 90] } }
        let photo = try PNGCodec.encode(PNGCodec.Pixels(width: 32, height: 24, channels: 3, bytes: pixels))
        let boundary = "vj-two-boxes"
        var body = ByteBuffer()
        for (name, value) in [("room_type", "bedroom"), ("style", style)] {
            body.writeString("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
        }
        body.writeString(
            "--\(boundary)\r\nContent-Disposition: form-data; name=\"image\"; filename=\"room.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        body.writeBytes(photo)
        body.writeString("\r\n--\(boundary)--\r\n")
        let accepted = try await client.execute(
            uri: "/dream-weaver", method: .post,
            headers: [.authorization: "Bearer \(key)", .contentType: "multipart/form-data; boundary=\(boundary)"], body: body)
        #expect(accepted.status == .accepted, "\(String(buffer: accepted.body))")
        return try #require(accepted.body.jsonObject["job_id"] as? String)
    }
}

extension ByteBuffer {
    /// The body as a JSON object (empty when it is not one).
    fileprivate var jsonObject: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: self))) as? [String: Any] ?? [:]
    }
}
