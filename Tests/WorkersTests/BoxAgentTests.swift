import Broker
import Foundation
import GPUBox
import Logging
import TestSupport
import Testing

@testable import Workers

/// The box agent end to end: real emulator processes as backends, real Redis and Postgres.
@Suite("Box agent", .serialized)
struct BoxAgentTests {
    @Test("starts its mode's backends, publishes every GPU and renders jobs on all of them")
    func rendersInMediaMode() async throws {
        let fixture = try await AgentFixture.make(gpus: 2)
        let logs = CapturedLogs()
        try await fixture.withAgent(logger: Logger(label: "test.agent") { _ in logs }) { _ in
            let status = try await fixture.waitForMode(.media)
            #expect(status.gpus.map(\.backend) == ["comfyui@0", "comfyui@1"])
            // Each backend's pid is published, and is a live process.
            for gpu in status.gpus {
                let pid = try #require(gpu.backendPID, "GPU \(gpu.index) publishes no backend pid")
                #expect(kill(pid_t(pid), 0) == 0)
                #expect(logs.text.contains("\(gpu.backend ?? "?") started as pid \(pid)"))
            }
            #expect(status.gpus.allSatisfy { $0.health == .healthy })
            let ids = try await (0..<6).asyncMap { _ in try await fixture.submitRender() }
            let jobs = try await fixture.waitForJobs(ids, queue: "media")
            #expect(jobs.map(\.state) == Array(repeating: .succeeded, count: 6))
            for id in ids { #expect(try await fixture.blobs.size("dream-weaver/\(id)/output.png") != nil) }
            let view = try #require(try await fixture.store.box(fixture.configuration.box))
            #expect(view.isAlive(timeout: .seconds(10)))
        }
        // The shutdown is in the log: what was drained, each backend's exit, the end.
        #expect(logs.text.contains("shutting down: draining comfyui@0, comfyui@1"), "\(logs.text)")
        #expect(logs.text.contains("comfyui@0 (pid ") && logs.text.contains(") stopped with status"))
        #expect(logs.text.contains("box agent \(fixture.configuration.box) stopped in"))
    }

    @Test("on a Redis Cluster: the agent renders, switches to llm mode and answers chats")
    func onACluster() async throws {
        let fixture = try await AgentFixture.make(gpus: 2, redisURL: try TestServers.redisClusterURL())
        #expect(fixture.broker.pool.configuration.isCluster)
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            let renders = try await (0..<4).asyncMap { _ in try await fixture.submitRender() }
            #expect(try await fixture.waitForJobs(renders, queue: "media").allSatisfy { $0.state == .succeeded })
            try await fixture.store.request(ModeRequest(box: fixture.configuration.box, mode: .llm, requestedBy: "test"))
            _ = try await fixture.waitForMode(.llm)
            let chats = try await (0..<3).asyncMap { try await fixture.submitChat("hello \($0)") }
            #expect(try await fixture.waitForJobs(chats, queue: "llm").allSatisfy { $0.state == .succeeded })
        }
    }

    @Test("a mode switch under load loses no job and records every step")
    func switchUnderLoad() async throws {
        let fixture = try await AgentFixture.make(gpus: 2, renderSeconds: 0.5)
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            let renders = try await (0..<8).asyncMap { _ in try await fixture.submitRender() }
            let chats = try await (0..<6).asyncMap { try await fixture.submitChat("hello \($0)") }
            let request = ModeRequest(box: fixture.configuration.box, mode: .llm, requestedBy: "test")
            try await fixture.store.request(request)
            let llm = try await fixture.waitForMode(.llm)
            #expect(llm.gpus.allSatisfy { $0.role == "llm" && $0.backend == "llm" })
            // Every step is published with its duration, for `velocity mode --wait` to print.
            let last = try #require(llm.lastSwitch)
            #expect(last.id == request.id && last.outcome == "switched")
            #expect(last.steps.map(\.step) == ModeSwitchStep.allCases)
            #expect(last.steps.allSatisfy { $0.succeeded && !$0.rollingBack && $0.durationMilliseconds >= 0 })
            #expect((last.durationMilliseconds ?? -1) >= last.steps.map(\.durationMilliseconds).reduce(0, +))
            let chatJobs = try await fixture.waitForJobs(chats, queue: "llm")
            #expect(chatJobs.allSatisfy { $0.state == .succeeded })

            // Renders left over wait for media capacity; back in split mode they finish.
            try await fixture.store.request(ModeRequest(box: fixture.configuration.box, mode: .split, requestedBy: "test"))
            _ = try await fixture.waitForMode(.split)
            let renderJobs = try await fixture.waitForJobs(renders, queue: "media")
            #expect(renderJobs.allSatisfy { $0.state == .succeeded })

            let events = try await ModeSwitchLog(postgres: fixture.records.pool).events(switchID: request.id)
            #expect(events.filter { $0.status == .succeeded }.map(\.step) == ModeSwitchStep.allCases)
        }
    }

    @Test("a backend that fails its health check rolls the switch back and says why")
    func failedSwitchRollsBack() async throws {
        let fixture = try await AgentFixture.make(gpus: 2) { configuration in
            configuration.llm = BackendCommand(command: ["sh", "-c", "echo cannot load model >&2; exit 1"])
            configuration.maxConsecutiveStartFailures = 1
        }
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            let request = ModeRequest(box: fixture.configuration.box, mode: .llm, requestedBy: "test")
            try await fixture.store.request(request)
            var status: BoxStatus?
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                status = try await fixture.store.box(fixture.configuration.box)?.status
                if status?.lastSwitchError != nil && status?.switching == nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status?.mode == .media)
            #expect(status?.lastSwitchError?.contains("rolled back to media") == true)
            let last = try #require(status?.lastSwitch)
            #expect(last.outcome == "rolled_back")
            let failed = try #require(last.steps.first { !$0.succeeded })
            #expect(failed.step == .healthCheck && !failed.rollingBack && failed.message?.contains("llm") == true)
            #expect(last.steps.last?.rollingBack == true && last.steps.last?.step == .consume)
            let media = try await fixture.waitForMode(.media)
            #expect(media.gpus.allSatisfy { $0.backendState == "consuming" })
            let id = try await fixture.submitRender()
            #expect(try await fixture.waitForJobs([id], queue: "media").first?.state == .succeeded)
            let rows = try await fixture.records.pool.withConnection { connection in
                try await connection.query("SELECT outcome, final_mode FROM box_mode_switches WHERE id = $1", [request.id])
            }
            #expect(rows.first?["outcome"] == "rolled_back")
            #expect(rows.first?["final_mode"] == "media")
        }
    }

    @Test("a backend that cannot start says why: its last output in the agent's log line and in the GPU's status")
    func failingBackendShowsItsOutput() async throws {
        let fixture = try await AgentFixture.make(gpus: 1) { configuration in
            configuration.comfyUI = BackendCommand(command: [
                "sh", "-c", "echo 'Starting server'; echo 'OSError: [Errno 98] Address already in use' >&2; exit 1",
            ])
            configuration.maxConsecutiveStartFailures = 2
        }
        let logs = CapturedLogs()
        try await fixture.withAgent(logger: Logger(label: "test.agent") { _ in logs }) { _ in
            // The lane fails, then the switch halts and stops it: either way the GPU keeps saying why.
            var status: BoxStatus?
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                status = try await fixture.store.box(fixture.configuration.box)?.status
                if status?.lastSwitchError != nil && status?.switching == nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(status?.gpus.first?.backendOutput == ["Starting server", "OSError: [Errno 98] Address already in use"])
            #expect(
                status?.lastSwitchError?.contains("OSError: [Errno 98] Address already in use") == true,
                "\(String(describing: status?.lastSwitchError))")
            #expect(
                logs.text.contains("it printed: OSError: [Errno 98] Address already in use [log: "), "\(logs.text)")
        }
    }

    @Test("an LLM lane on llama.cpp: the agent waits out its model load and sends the name /v1/models lists")
    func llamaCppLane() async throws {
        let served = "/models/llama-3.1-8b-instruct-Q4_K_M.gguf"
        let fixture = try await AgentFixture.make(gpus: 1, mode: .llm) { configuration in
            var command = configuration.llm.command
            if let at = command.firstIndex(of: "--model") { command[at + 1] = served }
            configuration.llm.command = command + ["--flavor", "llamacpp", "--startup-ms", "1500"]
            configuration.llmModel = nil
        }
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.llm)
            let ids = try await (0..<3).asyncMap { try await fixture.submitChat("hello \($0)") }
            let jobs = try await fixture.waitForJobs(ids, queue: "llm")
            #expect(jobs.allSatisfy { $0.state == .succeeded })
            for job in jobs {
                let completion = try JSONDecoder().decode(ChatCompletion.self, from: Data(try #require(job.result).utf8))
                #expect(completion.model == served)
            }
        }
    }

    @Test("a crashed backend is restarted and counted; a GPU with ECC errors is drained")
    func crashAndHardwareFault() async throws {
        let fixture = try await AgentFixture.make(gpus: 2)
        try await fixture.withAgent { _ in
            _ = try await fixture.waitForMode(.media)
            // Kill ComfyUI on GPU 1 as a crash would.
            let port = fixture.configuration.comfyUIBasePort + 1
            let pkill = Process()
            pkill.executableURL = URL(fileURLWithPath: "/usr/bin/pkill")
            pkill.arguments = ["-KILL", "-f", "--", "--port \(port) "]
            try pkill.run()
            pkill.waitUntilExit()
            var restarted = false
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline && !restarted {
                let status = try await fixture.store.box(fixture.configuration.box)?.status
                restarted =
                    (status?.backendRestarts["comfyui@1"] ?? 0) >= 1
                    && status?.gpus.first(where: { $0.index == 1 })?.backendState == "consuming"
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(restarted)

            try fixture.editGPUs { $0.gpus[1].uncorrectedECCErrors = 2 }
            var drained: GPUStatus?
            while ContinuousClock.now < deadline {
                drained = try await fixture.store.box(fixture.configuration.box)?.status.gpus.first { $0.index == 1 }
                if drained?.health == .unhealthy && drained?.backendState == nil { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(drained?.health == .unhealthy)
            #expect(drained?.healthReason?.contains("ECC") == true)
            let ids = try await (0..<3).asyncMap { _ in try await fixture.submitRender() }
            #expect(try await fixture.waitForJobs(ids, queue: "media").allSatisfy { $0.state == .succeeded })
        }
    }
}

extension Sequence {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var values: [T] = []
        for element in self { values.append(try await transform(element)) }
        return values
    }
}
