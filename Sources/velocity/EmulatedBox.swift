import Emulators
import GPUBox
import Workers

/// Agent settings for a box of emulated GPUs whose backends are this executable's emulators:
/// what `velocity dev` and `velocity bench mode-switch` run.
enum EmulatedBox {
    static func settings(
        box: String, mode: BoxMode, executable: String, gpuState: String, workDirectory: String, renderSeconds: Double,
        llmSlots: Int, llmFlavor: OpenAIEmulatorConfiguration.Flavor = .sglang, comfyUIBasePort: Int = 8188, llmPort: Int = 30000,
        hydration: AgentConfiguration.HydrationSettings?
    ) throws -> AgentConfiguration {
        var settings = AgentConfiguration()
        settings.box = box
        settings.initialMode = mode
        settings.nvidiaSmi = [executable, "emulator", "nvidia-smi", "--state", gpuState]
        settings.comfyUI = BackendCommand(
            command: [
                "{velocity}", "emulator", "comfyui", "--listen", "127.0.0.1", "--port", "{port}", "--input-directory",
                "{input_dir}", "--output-directory", "{output_dir}", "--temp-directory", "{temp_dir}",
                "--extra-model-paths-config", "{extra_model_paths}", "--render-seconds", String(renderSeconds),
                "--cuda-device", "{gpu_index}",
            ],
            environment: ["CUDA_VISIBLE_DEVICES": "{gpu_uuid}"])
        settings.llm = BackendCommand(command: [
            "{velocity}", "emulator", "openai", "--port", "{port}", "--model", "velocity-dev-llm", "--slots", String(llmSlots),
            "--flavor", llmFlavor.rawValue,
        ])
        settings.comfyUIBasePort = comfyUIBasePort
        settings.llmPort = llmPort
        settings.workDirectory = workDirectory
        settings.hydration = hydration
        settings.drainDeadlineSeconds = 30
        settings.readinessTimeoutSeconds = 60
        settings.recycleAfterJobs = 200
        try settings.validate()
        return settings
    }
}
