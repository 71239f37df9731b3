import Foundation
import GPUBox
import Testing
import Yams

@testable import Workers

/// ops/config/agent.yaml, the production example of the box agent's settings, decodes as the
/// agent decodes it (`velocity agent --config`: YAMLDecoder into AgentConfiguration), fills
/// every placeholder, and agrees with velocity-agent.service's stop timeout.
@Suite("ops/config/agent.yaml against AgentConfiguration")
struct OpsConfigTests {
    static let repositoryRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return url
    }()

    static func text(_ path: String) throws -> String {
        try String(contentsOf: repositoryRoot.appendingPathComponent(path), encoding: .utf8)
    }

    static func configuration() throws -> AgentConfiguration {
        try YAMLDecoder().decode(AgentConfiguration.self, from: try text("ops/config/agent.yaml"))
    }

    /// Every placeholder the agent fills (LaneEnvironment.values), with sample values.
    static let placeholders = [
        "port": "8189", "gpu_index": "1", "gpu_uuid": "GPU-1", "gpu_uuids": "GPU-1", "input_dir": "/w/comfyui-1/input",
        "output_dir": "/w/comfyui-1/output", "temp_dir": "/w/comfyui-1/temp",
        "extra_model_paths": "/m/snapshots/media/extra_model_paths.yaml", "model_path": "/m/snapshots/llm/llm/Llama",
        "tp": "4", "base_gpu_id": "0", "velocity": "/usr/local/bin/velocity",
    ]

    @Test("it decodes, with a real ComfyUI and SGLang command line and the settings of a production box")
    func decodes() throws {
        let configuration = try Self.configuration()
        try configuration.validate()
        #expect(configuration.box == "gpu-box-1")
        #expect(configuration.initialMode == .media)
        #expect(
            configuration.hydration
                == AgentConfiguration.HydrationSettings(manifests: "/opt/velocity/hydration", root: "/var/lib/velocity/models"))
        #expect(configuration.comfyUIBasePort == 8188)
        #expect(configuration.llmPort == 30000)
        // Nothing left at the emulator-friendly defaults where production differs.
        #expect(configuration.drainDeadlineSeconds > AgentConfiguration().drainDeadlineSeconds)
        #expect(configuration.readinessTimeoutSeconds >= 300)
        #expect(configuration.modeTargets == ModeAdvisor.Targets(renderWaitSeconds: 120, chatWaitSeconds: 30))
        #expect(!configuration.comfyUI.command.contains("{velocity}") && !configuration.llm.command.contains("{velocity}"))
    }

    @Test("every placeholder of the backend command lines is one the agent fills")
    func placeholdersRender() throws {
        let configuration = try Self.configuration()
        let comfyUI = try configuration.comfyUI.rendered(with: Self.placeholders)
        #expect(comfyUI.command.starts(with: ["/opt/comfyui/venv/bin/python", "/opt/comfyui/main.py"]))
        for (flag, value) in [
            ("--port", "8189"), ("--input-directory", "/w/comfyui-1/input"), ("--output-directory", "/w/comfyui-1/output"),
            ("--temp-directory", "/w/comfyui-1/temp"),
            ("--extra-model-paths-config", "/m/snapshots/media/extra_model_paths.yaml"),
        ] {
            let at = try #require(comfyUI.command.firstIndex(of: flag), "comfyui has no \(flag)")
            #expect(comfyUI.command[at + 1] == value, "\(flag)")
        }
        #expect(comfyUI.environment["CUDA_VISIBLE_DEVICES"] == "GPU-1")
        #expect(comfyUI.environment["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID")

        let llm = try configuration.llm.rendered(with: Self.placeholders)
        #expect(llm.command.starts(with: ["/opt/sglang/venv/bin/python", "-m", "sglang.launch_server"]))
        for (flag, value) in [
            ("--model-path", "/m/snapshots/llm/llm/Llama"), ("--tp", "4"), ("--base-gpu-id", "0"), ("--port", "8189"),
        ] {
            let at = try #require(llm.command.firstIndex(of: flag), "sglang has no \(flag)")
            #expect(llm.command[at + 1] == value, "\(flag)")
        }
        #expect(llm.command.contains("--enable-metrics"))
        // The name the dispatcher sends is the name SGLang serves.
        let served = try #require(llm.command.firstIndex(of: "--served-model-name"))
        #expect(llm.command[served + 1] == configuration.llmModel)
        #expect(llm.environment["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID")
    }

    @Test("the layouts it runs: llm mode --tp 4 from GPU 0, split mode --tp 2 from GPU 2")
    func layouts() {
        let configuration = AgentConfiguration()
        let llm = LaneSpec.lanes(of: BoxLayout(mode: .llm, gpuIndices: [0, 1, 2, 3]), configuration: configuration)
        #expect(llm.map(\.name) == ["llm"])
        #expect(llm.first?.gpuIndices == [0, 1, 2, 3])
        let split = LaneSpec.lanes(of: BoxLayout(mode: .split, gpuIndices: [0, 1, 2, 3]), configuration: configuration)
        #expect(split.map(\.name) == ["comfyui@0", "comfyui@1", "llm"])
        #expect(split.last?.gpuIndices == [2, 3])
        #expect(split.first?.port == configuration.comfyUIBasePort)
    }

    @Test("velocity-agent.service waits longer than a full drain before killing the agent")
    func stopTimeoutCoversTheDrain() throws {
        let configuration = try Self.configuration()
        let unit = try Self.text("ops/systemd/velocity-agent.service")
        func value(_ key: String) -> String? {
            unit.split(separator: "\n").first { $0.hasPrefix(key + "=") }.map { String($0.dropFirst(key.count + 1)) }
        }
        let timeout = try #require(value("TimeoutStopSec").flatMap(Double.init))
        // The drain, then each backend's SIGTERM grace (15 s, BackendLane.stopBackend), then margin.
        #expect(timeout > configuration.drainDeadlineSeconds + 15)
        #expect(value("KillMode") == "mixed")
        #expect(value("ExecStart")?.contains("--config /etc/velocity/agent.yaml") == true)
        #expect(value("User") == "velocity")
    }
}
