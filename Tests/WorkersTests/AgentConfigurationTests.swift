import Foundation
import GPUBox
import Testing

@testable import Workers

@Suite struct AgentConfigurationTests {
    @Test func backendCommandsFillEveryPlaceholder() throws {
        let command = BackendCommand(
            command: ["{velocity}", "emulator", "comfyui", "--port", "{port}", "--output-directory", "{output_dir}/x"],
            environment: ["CUDA_VISIBLE_DEVICES": "{gpu_uuid}"])
        let rendered = try command.rendered(with: [
            "velocity": "/bin/velocity", "port": "8189", "output_dir": "/w/comfyui-1/output", "gpu_uuid": "GPU-1",
        ])
        #expect(
            rendered.command == [
                "/bin/velocity", "emulator", "comfyui", "--port", "8189", "--output-directory", "/w/comfyui-1/output/x",
            ])
        #expect(rendered.environment == ["CUDA_VISIBLE_DEVICES": "GPU-1"])
    }

    @Test func unknownOrUnclosedPlaceholdersAreRefusedByName() {
        #expect { try BackendCommand(command: ["--port", "{prot}"]).rendered(with: ["port": "1"]) } throws: {
            ($0 as? AgentError)?.message.contains("{prot}") == true
        }
        #expect { try BackendCommand(command: ["--port", "{port"]).rendered(with: ["port": "1"]) } throws: {
            ($0 as? AgentError)?.message.contains("unclosed") == true
        }
    }

    @Test func decodesSnakeCaseKeysAndKeepsDefaultsForTheRest() throws {
        let json = #"""
            {"box": "gpu-box-7", "initial_mode": "split", "nvidia_smi": ["/usr/bin/nvidia-smi"],
             "llm": {"command": ["sglang", "--tp", "{tp}"]}, "drain_deadline_seconds": 5,
             "hydration": {"manifests": "/etc/velocity/hydration", "root": "/nvme/models"}}
            """#
        let configuration = try JSONDecoder().decode(AgentConfiguration.self, from: Data(json.utf8))
        #expect(configuration.box == "gpu-box-7")
        #expect(configuration.initialMode == .split)
        #expect(configuration.llm.command == ["sglang", "--tp", "{tp}"])
        #expect(configuration.llm.environment.isEmpty)
        #expect(configuration.drainDeadlineSeconds == 5)
        #expect(configuration.hydration?.root == "/nvme/models")
        #expect(configuration.comfyUIBasePort == AgentConfiguration().comfyUIBasePort)
        #expect(configuration.modeTargets == ModeAdvisor.Targets())
        // One target named: the other keeps its default.
        let targets = try JSONDecoder().decode(
            AgentConfiguration.self, from: Data(#"{"mode_targets": {"render_wait_seconds": 20}}"#.utf8)
        ).modeTargets
        #expect(targets == ModeAdvisor.Targets(renderWaitSeconds: 20, chatWaitSeconds: ModeAdvisor.Targets().chatWaitSeconds))
    }

    @Test(arguments: [
        (#"{"box": "has space"}"#, "box"),
        (#"{"initial_mode": "gaming"}"#, "initial_mode"),
        (#"{"nvidia_smi": []}"#, "nvidia_smi"),
        (#"{"comfyui_base_port": 70000}"#, "comfyui_base_port"),
        (#"{"tick_ms": 1}"#, "tick_ms"),
        (#"{"autopilot_interval_ms": 50}"#, "autopilot_interval_ms"),
        (#"{"drain_deadline_seconds": -1}"#, "drain_deadline_seconds"),
        (#"{"mode_targets": {"render_wait_seconds": 0}}"#, "mode_targets.render_wait_seconds"),
        (#"{"mode_targets": {"chat_wait_seconds": -5}}"#, "mode_targets.chat_wait_seconds"),
        (#"{"mode_targets": {"chat_wait_seconds": "soon"}}"#, "chat_wait_seconds"),
        (#"{"max_consecutive_start_failures": 0}"#, "max_consecutive_start_failures"),
    ])
    func refusesBadSettingsNamingTheKey(json: String, key: String) {
        #expect {
            try JSONDecoder().decode(AgentConfiguration.self, from: Data(json.utf8))
        } throws: { error in
            "\(error)".contains(key)
        }
    }

    @Test func lanesOfEachModeOnFourGPUs() {
        let configuration = AgentConfiguration()
        let media = LaneSpec.lanes(of: BoxLayout(mode: .media, gpuIndices: [0, 1, 2, 3]), configuration: configuration)
        #expect(media.map(\.name) == ["comfyui@0", "comfyui@1", "comfyui@2", "comfyui@3"])
        #expect(media.map(\.port) == [8188, 8189, 8190, 8191])
        let split = LaneSpec.lanes(of: BoxLayout(mode: .split, gpuIndices: [0, 1, 2, 3]), configuration: configuration)
        #expect(split.map(\.name) == ["comfyui@0", "comfyui@1", "llm"])
        #expect(split.last?.gpuIndices == [2, 3])
        // media → split keeps the two ComfyUIs both modes share.
        #expect(Set(media).intersection(split).map(\.name).sorted() == ["comfyui@0", "comfyui@1"])
    }

    @Test func backendProcessesAreStoppedAndTheirStatusKept() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vj-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let sleeper = try BackendProcess.start(
            name: "sleeper", command: ["sleep", "30"], environment: [:], logPath: directory.path + "/sleep.log")
        #expect(sleeper.exitStatus == nil)
        await sleeper.stop(grace: .seconds(5))
        #expect(sleeper.exitStatus == -15)  // SIGTERM

        let echo = try BackendProcess.start(
            name: "echo", command: ["sh", "-c", "echo hello $GREETING; exit 3"], environment: ["GREETING": "box"],
            logPath: directory.path + "/echo.log")
        #expect(await echo.waitForExit() == 3)
        #expect(try String(contentsOfFile: directory.path + "/echo.log", encoding: .utf8) == "hello box\n")

        #expect(throws: AgentError.self) {
            try BackendProcess.start(
                name: "missing", command: ["/nonexistent/binary"], environment: [:], logPath: directory.path + "/m.log")
        }
    }
}
