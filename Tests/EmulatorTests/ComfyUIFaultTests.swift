import CurlClient
import Emulators
import Foundation
import Logging
import Synchronization
import TestSupport
import Testing

@Suite("ComfyUI emulator: fault injection and the velocity command")
struct ComfyUIFaultTests {
    @Test("fail: an execution_error with torch.OutOfMemoryError and its full shape; the next render succeeds")
    func fail() async throws {
        try await ComfyUIFixture.run({ $0.faults = ComfyUIFaults(mode: .fail, atStep: 2) }) { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            try await SocketRecorder.with(fixture, clientID: "f1") { socket in
                let id = UUID().uuidString.lowercased()
                _ = try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png", steps: 3), id: id, clientID: "f1")
                let entry = try await fixture.waitForHistory(id)
                #expect(entry["status"]?["status_str"] == "error" && entry["status"]?["completed"] == false)
                let error = try #require(entry["status"]?["messages"]?.arrayValue?.last?.arrayValue?[1])
                #expect(
                    Set(error.objectValue?.keys ?? []) == [
                        "prompt_id", "node_id", "node_type", "executed", "exception_message", "exception_type", "traceback",
                        "current_inputs", "current_outputs", "timestamp",
                    ])
                #expect(error["exception_type"] == "torch.OutOfMemoryError")
                #expect(error["exception_message"]?.stringValue?.hasPrefix("CUDA out of memory.") == true)
                #expect(error["node_id"] == "3" && error["node_type"] == "KSampler")
                #expect(error["current_inputs"]?["seed"] == [66051] && error["current_inputs"]?["steps"] == [3])
                #expect((error["traceback"]?.arrayValue?.count ?? 0) > 0)
                try await eventually("the end of the failed prompt on the socket") {
                    socket.messages.contains { $0["type"] == "executing" && $0["data"]?["node"] == .null }
                }
                let ending = socket.messages(for: id).compactMap { $0["type"]?.stringValue }.suffix(3)
                #expect(Array(ending) == ["progress", "execution_error", "executing"])
                #expect(socket.messages(for: id).filter { $0["type"] == "progress" }.count == 1)

                let next = UUID().uuidString.lowercased()
                _ = try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png", seed: 5, steps: 3), id: next)
                #expect(try await fixture.waitForHistory(next)["status"]?["status_str"] == "success")
            }
        }
    }

    @Test("hang: the render stops and /history/{id} stops answering until the hang is released")
    func hang() async throws {
        try await ComfyUIFixture.run { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            let plan = try await fixture.post("/emulator/faults", json: ["mode": "hang"])
            #expect(try fixture.json(plan)["mode"] == "hang")
            let id = UUID().uuidString.lowercased()
            _ = try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png", steps: 4), id: id)
            try await eventually("the render to hang") {
                try fixture.json(try await fixture.get("/emulator/faults"))["hung_prompt_id"] == .string(id)
            }
            let released = Flag()
            try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    _ = try await fixture.get("/history/\(id)")
                    return released.isSet
                }
                // Other routes still answer.
                #expect(try fixture.json(try await fixture.get("/system_stats"))["devices"] != nil)
                #expect(try fixture.json(try await fixture.get("/history")) == [:])
                released.set()
                _ = try await fixture.http.execute(HTTPClientRequest(method: "DELETE", url: fixture.base + "/emulator/faults"))
                #expect(try await group.next() == true, "/history/{id} answered while the render was hung")
            }
            #expect(try await fixture.waitForHistory(id)["status"]?["status_str"] == "success")
        }
    }

    @Test("websocket stall: no messages arrive, yet prompts complete and show in history")
    func websocketStall() async throws {
        try await ComfyUIFixture.run { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            try await SocketRecorder.with(fixture, clientID: "s1") { socket in
                _ = try await fixture.post("/emulator/faults", json: ["websocket_stall": true])
                let stalled = UUID().uuidString.lowercased()
                _ = try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png"), id: stalled, clientID: "s1")
                #expect(try await fixture.waitForHistory(stalled)["status"]?["status_str"] == "success")
                // Lift the stall and run a marker prompt: everything before it was sent, so
                // the stalled prompt's messages would show up ahead of the marker's.
                _ = try await fixture.http.execute(HTTPClientRequest(method: "DELETE", url: fixture.base + "/emulator/faults"))
                let marker = UUID().uuidString.lowercased()
                _ = try await fixture.queue(ComfyUIPrompts.smoke(image: "a.png"), id: marker, clientID: "s1")
                try await eventually("the marker's end") {
                    socket.messages(for: marker).contains { $0["type"] == "executing" && $0["data"]?["node"] == .null }
                }
                #expect(socket.messages(for: stalled).isEmpty)
            }
        }
    }

    @Test("memory growth: system_stats loses the configured RAM per prompt")
    func memoryGrowth() async throws {
        try await ComfyUIFixture.run({ $0.faults = ComfyUIFaults(memoryGrowthBytesPerPrompt: 1_000_000) }) { fixture in
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            func ramFree() async throws -> ComfyJSON? {
                try fixture.json(try await fixture.get("/system_stats"))["system"]?["ram_free"]
            }
            let before = try await ramFree()
            for index in 0..<3 {
                let id = UUID().uuidString.lowercased()
                _ = try await fixture.queue(ComfyUIPrompts.smoke(image: "a.png", prefix: "m\(index)"), id: id)
                _ = try await fixture.waitForHistory(id)
            }
            guard case .int(let start)? = before, case .int(let end)? = try await ramFree() else {
                Issue.record("ram_free is not an integer")
                return
            }
            #expect(start - end == 3_000_000)
        }
    }

    @Test("crash: mid-render the server stops answering and run() throws")
    func crash() async throws {
        let root = NSTemporaryDirectory() + "comfyui-crash-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        var configuration = ComfyUIEmulatorConfiguration(root: root)
        configuration.port = 0
        configuration.checkpoints = [ComfyUIFixture.checkpoint]
        configuration.renderSeconds = 0.05
        configuration.faults = ComfyUIFaults(mode: .crash)
        var logger = Logger(label: "comfyui-crash-test")
        logger.logLevel = .error
        let emulator = ComfyUIEmulator(configuration: configuration, logger: logger)
        try await CurlHTTPClient.withClient { http in
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    await #expect(throws: ComfyUIEmulatorCrashed.self) { try await emulator.run() }
                }
                let port = try await emulator.waitUntilListening()
                let fixture = ComfyUIFixture(emulator: emulator, base: "http://127.0.0.1:\(port)", http: http, root: root)
                _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
                _ = try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png"))
                try await group.waitForAll()
                await #expect(throws: CurlClientError.self) { try await fixture.get("/system_stats") }
            }
        }
    }

    @Test("velocity emulator comfyui prints ComfyUI's listening line, serves, and stops on SIGTERM")
    func command() async throws {
        let root = NSTemporaryDirectory() + "comfyui-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let (process, log) = try Self.launch(root: root, ["--checkpoint", "m.safetensors", "--device-name", "NVIDIA A10G"])
        defer { if process.isRunning { process.terminate() } }
        let port = try await Self.port(from: log)
        try await CurlHTTPClient.withClient { http in
            let stats = try ComfyJSON.parse(
                try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/system_stats")).body)
            #expect(stats["devices"]?.arrayValue?.first?["name"] == "cuda:0 NVIDIA A10G : cudaMallocAsync")
            #expect(stats["system"]?["argv"]?.arrayValue?.contains("--checkpoint") == true)
        }
        #expect(FileManager.default.fileExists(atPath: root + "/input"))
        kill(process.processIdentifier, SIGTERM)
        try await eventually("the emulator to exit") { !process.isRunning }
        #expect(process.terminationReason == .exit && process.terminationStatus == 0)
    }

    @Test("velocity emulator comfyui --fail-mode crash exits mid-render with status 1")
    func commandCrash() async throws {
        let root = NSTemporaryDirectory() + "comfyui-cli-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let (process, log) = try Self.launch(
            root: root, ["--checkpoint", ComfyUIFixture.checkpoint, "--fail-mode", "crash", "--render-seconds", "0.05"])
        defer { if process.isRunning { process.terminate() } }
        let port = try await Self.port(from: log)
        try await CurlHTTPClient.withClient { http in
            let fixture = ComfyUIFixture(
                emulator: ComfyUIEmulator(configuration: .init(root: root)), base: "http://127.0.0.1:\(port)", http: http,
                root: root)
            _ = try await fixture.upload(try TestImages.png(width: 8, height: 8), name: "a.png")
            #expect(try await fixture.queue(ComfyUIPrompts.dreamWeaver(image: "a.png")).status == 200)
        }
        try await eventually("the emulator to die") { !process.isRunning }
        #expect(process.terminationReason == .exit && process.terminationStatus == 1)
    }

    @Test("the command refuses bad settings")
    func commandRefusals() async throws {
        for arguments in [
            ["--fail-mode", "explode"], ["--render-seconds", "-1"], ["--failure", "segfault"], ["--fail-poison", ""],
        ] {
            let root = NSTemporaryDirectory() + "comfyui-cli-\(UUID().uuidString)"
            defer { try? FileManager.default.removeItem(atPath: root) }
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            let (process, _) = try Self.launch(root: root, arguments)
            try await eventually("the command to refuse \(arguments)") { !process.isRunning }
            #expect(process.terminationStatus != 0)
        }
    }

    /// Starts `velocity emulator comfyui --port 0` in `root`, its output going to a file.
    static func launch(root: String, _ arguments: [String]) throws -> (Process, String) {
        let log = root + "/emulator.log"
        #expect(FileManager.default.createFile(atPath: log, contents: Data()))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try VelocityBinary.path())
        process.arguments = ["emulator", "comfyui", "--port", "0", "--base-directory", root] + arguments
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = output
        process.standardError = output
        try process.run()
        return (process, log)
    }

    /// The port from the "To see the GUI go to: http://127.0.0.1:PORT" line.
    static func port(from log: String) async throws -> Int {
        var port: Int?
        try await eventually("the listening line") {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("To see the GUI go to: http://127.0.0.1:") })
            else { return false }
            port = Int(line.split(separator: ":").last ?? "")
            return port != nil
        }
        return port!
    }
}

/// A one-way flag shared with a child task.
final class Flag: Sendable {
    private let value = Mutex(false)
    var isSet: Bool { value.withLock { $0 } }
    func set() { value.withLock { $0 = true } }

    @Test("a fault plan's poison must be a non-empty string; it strikes only renders whose prompt text holds it")
    func poisonPlans() throws {
        for bad: ComfyJSON in [["poison": ""], ["poison": 3]] {
            #expect(throws: ComfyUIFaults.InvalidPlan.self) { try ComfyUIFaults(json: bad) }
        }
        let plan = try ComfyUIFaults(json: ["mode": "crash", "poison": "poison pill"])
        #expect(plan.poison == "poison pill" && plan.json["poison"] == "poison pill")
        #expect(try ComfyUIFaults(json: ["mode": "crash", "poison": .null]).poison == nil)
    }
}
