import Foundation
import GPUBox
import TestSupport
import Testing

@testable import Workers

/// A box agent that died without stopping its backends (SIGKILL, an OOM kill): the next one
/// finds them by their recorded pids and stops them before it starts its own.
extension BoxAgentTests {
    @Test("a ComfyUI a killed agent left running is stopped by the next agent, which then serves on its port")
    func orphanedBackendIsStopped() async throws {
        let fixture = try await AgentFixture.make(gpus: 1)
        let port = fixture.configuration.comfyUIBasePort
        let lane = fixture.configuration.workDirectory + "/comfyui-0"
        let values = [
            "{port}": String(port), "{input_dir}": lane + "/input", "{output_dir}": lane + "/output",
            "{temp_dir}": lane + "/temp",
        ]
        let command = fixture.configuration.comfyUI.command.map { argument in
            values.reduce(argument) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
        }
        try FileManager.default.createDirectory(atPath: lane, withIntermediateDirectories: true)
        // What the dead agent left: its ComfyUI, answering on the lane's port, and the pid file.
        let orphan = try BackendProcess.start(name: "orphan", command: command, environment: [:], logPath: lane + "/orphan.log")
        let probe = BackendProbe(kind: .comfyUI, baseURL: "http://127.0.0.1:\(port)", http: fixture.http)
        let deadline = ContinuousClock.now + .seconds(30)
        while !(await probe.isUp()) && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(await probe.isUp())
        let pidFile = lane + "/backend.pid"

        // A recorded pid that now runs something else is left alone.
        let stranger = try BackendProcess.start(
            name: "stranger", command: ["/bin/sleep", "30"], environment: [:], logPath: lane + "/stranger.log")
        OrphanedBackend.record(stranger.pid, in: pidFile)
        #expect(await OrphanedBackend.stop(recordedIn: pidFile, command: command, logger: .init(label: "test")) == false)
        #expect(stranger.exitStatus == nil)
        await stranger.stop(grace: .seconds(1))

        OrphanedBackend.record(orphan.pid, in: pidFile)
        try await fixture.withAgent { _ in
            let status = try await fixture.waitForMode(.media)
            #expect(orphan.exitStatus != nil, "the orphan still runs")
            let gpu = try #require(status.gpus.first)
            #expect(gpu.backendPID != Int(orphan.pid))
            // Started once: it never crash-looped on a port the orphan held.
            #expect((status.backendRestarts["comfyui@0"] ?? 0) == 0)
            let id = try await fixture.submitRender()
            #expect(try await fixture.waitForJobs([id], queue: "media").map(\.state) == [.succeeded])
        }
        await orphan.stop(grace: .seconds(1))
    }
}
