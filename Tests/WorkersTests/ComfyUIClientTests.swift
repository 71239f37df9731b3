import Broker
import CurlClient
import Emulators
import Foundation
import Images
import Logging
import Testing
import TestSupport
import Workers

/// The client against the ComfyUI emulator: each route with ComfyUI's shapes.
@Suite("ComfyUI client")
struct ComfyUIClientTests {
    static let modelName = "dreamweaver_staging_xl.safetensors"

    func withEmulator(
        renderSeconds: Double = 0.1, models: [String] = [Self.modelName],
        _ body: @Sendable (ComfyUIClient, ComfyUIEmulator) async throws -> Void
    ) async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("velocity-comfy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        var configuration = ComfyUIEmulatorConfiguration(root: root.path)
        configuration.checkpoints = models
        configuration.renderSeconds = renderSeconds
        var logger = Logger(label: "test.comfyui")
        logger.logLevel = .critical
        try await CurlHTTPClient.withClient { http in
            try await ComfyUIEmulator.withRunning(configuration, logger: logger) { emulator, url in
                try await body(ComfyUIClient(baseURL: url + "/", clientID: "test-\(UUID().uuidString)", http: http), emulator)
            }
        }
    }

    /// LoadImage → SaveImage: model-free, the readiness smoke prompt's shape.
    func smokePrompt(image: String, prefix: String) -> JSONValue {
        .object([
            "1": .object(["class_type": .string("LoadImage"), "inputs": .object(["image": .string(image)])]),
            "2": .object([
                "class_type": .string("SaveImage"),
                "inputs": .object(["images": .array([.string("1"), .int(0)]), "filename_prefix": .string(prefix)]),
            ]),
        ])
    }

    func png(_ width: Int, _ height: Int) throws -> [UInt8] {
        try PNGCodec.encode(PNGCodec.Pixels(width: width, height: height, channels: 3, bytes: [UInt8](repeating: 90, count: width * height * 3)))
    }

    func waitForHistory(_ client: ComfyUIClient, _ id: String) async throws -> ComfyUIHistoryEntry {
        var entry: ComfyUIHistoryEntry?
        try await eventually("history has \(id)") {
            entry = try await client.history(id)
            return entry != nil
        }
        return entry!
    }

    @Test("upload, queue under our id, history, view, delete: a whole round trip")
    func roundTrip() async throws {
        try await withEmulator { client, _ in
            let bytes = try png(12, 10)
            let file = try await client.uploadImage(bytes, filename: "room.png", subfolder: "velocity")
            #expect(file == ComfyUIFileRef(filename: "room.png", subfolder: "velocity", type: "input"))
            #expect(try await client.view(file) == bytes)

            let id = JobID.make()
            let queued = try await client.queuePrompt(smokePrompt(image: "velocity/room.png", prefix: "velocity/\(id)"), promptID: id)
            #expect(queued.promptID == id)
            #expect(!queued.adopted)
            let entry = try await waitForHistory(client, id)
            #expect(entry.end == .succeeded)
            let output = try #require(entry.outputs["2"]?.first)
            #expect(output.type == "output")
            #expect(output.subfolder == "velocity")
            let image = try PNGValidator().validate(try await client.view(output))
            #expect(image == PNGValidator.Image(width: 12, height: 10))

            try await client.deleteHistory([id])
            #expect(try await client.history(id) == nil)
        }
    }

    @Test("a second POST of the same prompt_id gets 409 and is adopted, not failed")
    func duplicateIsAdopted() async throws {
        try await withEmulator(renderSeconds: 0.1) { client, _ in
            _ = try await client.uploadImage(try png(8, 8), filename: "a.png")
            let id = JobID.make()
            let prompt = smokePrompt(image: "a.png", prefix: "velocity/\(id)")
            _ = try await client.queuePrompt(prompt, promptID: id)
            let again = try await client.queuePrompt(prompt, promptID: id)
            #expect(again.adopted)
            #expect(again.promptID == id)
            #expect(try await waitForHistory(client, id).end == .succeeded)
        }
    }

    @Test("a missing checkpoint is comfyui_missing_model naming the node and input")
    func missingModel() async throws {
        try await withEmulator(models: []) { client, _ in
            let prompt: JSONValue = .object([
                "1": .object(["class_type": .string("CheckpointLoaderSimple"), "inputs": .object(["ckpt_name": .string(Self.modelName)])]),
                "2": .object(["class_type": .string("EmptyImage"), "inputs": .object(["width": .int(64), "height": .int(64), "batch_size": .int(1), "color": .int(0)])]),
                "3": .object(["class_type": .string("VAEEncode"), "inputs": .object(["pixels": .array([.string("2"), .int(0)]), "vae": .array([.string("1"), .int(2)])])]),
                "4": .object(["class_type": .string("VAEDecode"), "inputs": .object(["samples": .array([.string("3"), .int(0)]), "vae": .array([.string("1"), .int(2)])])]),
                "5": .object(["class_type": .string("SaveImage"), "inputs": .object(["images": .array([.string("4"), .int(0)]), "filename_prefix": .string("x")])]),
            ])
            do {
                _ = try await client.queuePrompt(prompt, promptID: JobID.make())
                Issue.record("a prompt with a missing model was accepted")
            } catch let error as ComfyUIError {
                #expect(error.code == .comfyUIMissingModel)
                #expect(error.nodeID == "1")
                #expect(error.inputName == "ckpt_name")
                #expect(error.httpStatus == 400)
                #expect(!error.retriable)
            }
        }
    }

    @Test("an unknown node type is comfyui_invalid_prompt; a graph without outputs is comfyui_no_outputs")
    func refusals() async throws {
        try await withEmulator { client, _ in
            let unknown: JSONValue = .object(["1": .object(["class_type": .string("Frobnicate"), "inputs": .object([:])])])
            await #expect { try await client.queuePrompt(unknown, promptID: JobID.make()) } throws: {
                ($0 as? ComfyUIError)?.code == .comfyUIInvalidPrompt
            }
            let noOutputs: JSONValue = .object([
                "1": .object(["class_type": .string("LoadImage"), "inputs": .object(["image": .string("a.png")])]),
            ])
            await #expect { try await client.queuePrompt(noOutputs, promptID: JobID.make()) } throws: {
                ($0 as? ComfyUIError)?.code == .comfyUINoOutputs
            }
            await #expect { try await client.queuePrompt(noOutputs, promptID: "Not-A-UUID") } throws: {
                ($0 as? ComfyUIError)?.code == .comfyUIInvalidPrompt
            }
        }
    }

    @Test("interrupt stops the running prompt: history says interrupted; queue and deleteFromQueue see it")
    func interrupt() async throws {
        try await withEmulator(renderSeconds: 30) { client, _ in
            let prompt: JSONValue = .object([
                "1": .object(["class_type": .string("CheckpointLoaderSimple"), "inputs": .object(["ckpt_name": .string(Self.modelName)])]),
                "2": .object(["class_type": .string("EmptyImage"), "inputs": .object(["width": .int(64), "height": .int(64), "batch_size": .int(1), "color": .int(0)])]),
                "7": .object(["class_type": .string("VAEEncode"), "inputs": .object(["pixels": .array([.string("2"), .int(0)]), "vae": .array([.string("1"), .int(2)])])]),
                "3": .object(["class_type": .string("CLIPTextEncode"), "inputs": .object(["text": .string("a"), "clip": .array([.string("1"), .int(1)])])]),
                "4": .object(["class_type": .string("KSampler"), "inputs": .object([
                    "seed": .int(1), "steps": .int(20), "cfg": .double(7), "sampler_name": .string("euler"), "scheduler": .string("normal"),
                    "denoise": .double(1), "model": .array([.string("1"), .int(0)]), "positive": .array([.string("3"), .int(0)]),
                    "negative": .array([.string("3"), .int(0)]), "latent_image": .array([.string("7"), .int(0)]),
                ])]),
                "5": .object(["class_type": .string("VAEDecode"), "inputs": .object(["samples": .array([.string("4"), .int(0)]), "vae": .array([.string("1"), .int(2)])])]),
                "6": .object(["class_type": .string("SaveImage"), "inputs": .object(["images": .array([.string("5"), .int(0)]), "filename_prefix": .string("x")])]),
            ])
            let running = JobID.make()
            let waiting = JobID.make()
            _ = try await client.queuePrompt(prompt, promptID: running)
            _ = try await client.queuePrompt(prompt, promptID: waiting)
            try await eventually("the first runs") { try await client.queue().running == [running] }
            #expect(try await client.queue().pending == [waiting])
            try await client.deleteFromQueue([waiting])
            // An interrupt naming a prompt that is not running is ignored.
            try await client.interrupt(promptID: waiting)
            #expect(try await client.queue() == ComfyUIQueueSnapshot(running: [running], pending: []))
            try await client.interrupt(promptID: running)
            #expect(try await waitForHistory(client, running).end == .interrupted(nodeID: "4"))
            #expect(try await client.history(waiting) == nil)
        }
    }

    @Test("system_stats, free, and a server that is not there (comfyui_unreachable)")
    func statsAndUnreachable() async throws {
        try await withEmulator { client, _ in
            let stats = try await client.systemStats()
            #expect(stats.comfyUIVersion != nil)
            #expect(stats.devices.count == 1)
            try await client.free(unloadModels: true, freeMemory: true)
        }
        try await CurlHTTPClient.withClient { http in
            // Port 9 (discard): nothing listens there on the test machines.
            let client = ComfyUIClient(baseURL: "http://127.0.0.1:9", clientID: "x", http: http)
            await #expect { _ = try await client.systemStats() } throws: {
                let error = $0 as? ComfyUIError
                return error?.code == .comfyUIUnreachable && error?.isBackendFailure == true
            }
        }
    }

    @Test("the websocket delivers the prompt's events under our client id, ending in execution_success")
    func websocketEvents() async throws {
        try await withEmulator(renderSeconds: 0.2) { client, _ in
            var logger = Logger(label: "test.ws")
            logger.logLevel = .critical
            let hub = ComfyUIEventHub()
            let mailbox = hub.subscribe()
            let socket = ComfyUIEventSocket(url: client.webSocketURL, hub: hub, logger: logger)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await socket.run() }
                defer { group.cancelAll() }
                try await eventually("the socket connects") { hub.isConnected }
                _ = try await client.uploadImage(try png(8, 8), filename: "w.png")
                let id = JobID.make()
                _ = try await client.queuePrompt(smokePrompt(image: "w.png", prefix: "w"), promptID: id)
                var events: [ComfyUIEvent] = []
                try await eventually("execution_success arrives") {
                    for case .event(let event) in mailbox.drain() { events.append(event) }
                    return events.contains(.executionSuccess(promptID: id))
                }
                #expect(events.contains(.executionStart(promptID: id)))
                #expect(events.contains(.executing(promptID: id, node: "2")))
                let start = events.firstIndex(of: .executionStart(promptID: id))!
                let success = events.firstIndex(of: .executionSuccess(promptID: id))!
                #expect(start < success)
            }
        }
    }
}
