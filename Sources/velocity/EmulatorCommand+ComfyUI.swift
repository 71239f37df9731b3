import ArgumentParser
import Emulators
import Foundation
import Logging
import ServiceLifecycle

/// `velocity emulator comfyui`: an emulated ComfyUI 0.8.x server for one emulated GPU. Flags
/// that ComfyUI has keep its names, so a backend command line can switch between the two.
struct ComfyUIEmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "comfyui",
        abstract: "Run an emulated ComfyUI server (same API and websocket messages, deterministic renders).",
        discussion: """
            Directories default to input/, output/ and temp/ under --base-directory (the current directory); \
            temp is wiped at start. Checkpoints are the files under the --extra-model-paths-config folders plus \
            the --checkpoint names. A render is KSampler taking --render-seconds, split over its steps. \
            Faults: --fail-mode crash (the process exits mid-render with status 1), hang (the render and \
            /history/{id} stop answering), fail (an execution_error, torch.OutOfMemoryError by default); \
            --fail-poison TEXT limits them to renders whose prompt text contains TEXT; \
            --websocket-stall stops websocket messages while prompts keep completing. Change faults at runtime \
            with POST /emulator/faults (see ComfyUIFaults). Stops gracefully on SIGTERM or SIGINT.
            """)

    @Option(help: "Address to listen on (ComfyUI's --listen).")
    var listen = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 8188

    @Option(help: "Directory that holds input/, output/ and temp/ unless given separately.")
    var baseDirectory: String?

    @Option(help: "Input directory (uploads, LoadImage).")
    var inputDirectory: String?

    @Option(help: "Output directory (SaveImage).")
    var outputDirectory: String?

    @Option(help: "Temp directory (PreviewImage); wiped at start.")
    var tempDirectory: String?

    @Option(help: "ComfyUI extra_model_paths.yaml (base_path, checkpoints, loras, …); repeatable.")
    var extraModelPathsConfig: [String] = []

    @Option(help: "The CUDA device ComfyUI would be pinned to (recorded only: the emulated device is cuda:0).")
    var cudaDevice: Int?

    @Option(help: "A checkpoint name to offer without a file; repeatable.")
    var checkpoint: [String] = []

    @Option(help: "A LoRA name to offer without a file; repeatable.")
    var lora: [String] = []

    @Option(help: "Seconds one KSampler render takes.")
    var renderSeconds = 2.0

    @Option(
        help:
            "Spread of render times: each render takes --render-seconds × a log-normal factor of this sigma, drawn from its seed."
    )
    var renderSpread = 0.0

    @Option(help: "Seconds to load a checkpoint into VRAM (first use, evicted, after /free).")
    var modelLoadSeconds = 0.0

    @Option(help: "VRAM in GiB a render needs besides its checkpoint: checkpoints stay loaded while they fit beside it.")
    var workingVramGib = 0.0

    @Option(help: "Upload bandwidth in MB/s (POST /upload/image answers after its bytes at this rate; 0: no cost).")
    var uploadMbPerS = 0.0

    @Option(help: "Download bandwidth in MB/s (GET /view; 0: no cost).")
    var downloadMbPerS = 0.0

    @Option(help: "Saved images padded to a size drawn from this range in MB, e.g. 2-6 (renders' real weight).")
    var outputMb: String?

    @Option(help: "The emulated GPU's name.")
    var deviceName = "NVIDIA L4"

    @Option(help: "The emulated GPU's memory in GiB.")
    var vramGib = 22.0

    @Option(help: "Maximum upload size in MB (ComfyUI's --max-upload-size).")
    var maxUploadSize = 100.0

    @Flag(help: "KSampler sends no per-step progress (like custom nodes that report nothing until done).")
    var noStepProgress = false

    @Flag(help: "Disable the output cache (ComfyUI's --cache-none).")
    var cacheNone = false

    @Flag(help: "Queue a duplicate prompt_id like stock ComfyUI instead of answering 409.")
    var acceptDuplicatePromptIds = false

    @Option(help: "Fault to inject: none, crash, hang or fail.")
    var failMode = "none"

    @Option(help: "Renders that succeed before the fault strikes.")
    var failAfter = 0

    @Option(help: "Renders the fault strikes (0: every one).")
    var failCount = 1

    @Option(help: "Sampler step the fault strikes at.")
    var failAtStep = 1

    @Option(help: "Exception of --fail-mode fail: oom or runtime.")
    var failure = "oom"

    @Option(help: "Strike only renders whose prompt text contains this (a poison input).")
    var failPoison: String?

    @Flag(help: "Websocket messages stop while prompts keep completing.")
    var websocketStall = false

    @Option(help: "Host RAM /system_stats shows lost per prompt, in MB.")
    var memoryGrowthMbPerPrompt = 0.0

    func run() async throws {
        let configuration = try makeConfiguration()
        let logger = Logger.velocity("emulator.comfyui")
        let emulator = ComfyUIEmulator(configuration: configuration, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [emulator], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            tasks.addTask {
                let port = try await emulator.waitUntilListening()
                print("Starting server\n\nTo see the GUI go to: http://\(configuration.host):\(port)")
                fflush(nil)
            }
            try await tasks.waitForAll()
        }
    }

    func makeConfiguration() throws -> ComfyUIEmulatorConfiguration {
        let base = baseDirectory ?? FileManager.default.currentDirectoryPath
        var configuration = ComfyUIEmulatorConfiguration(
            inputDirectory: inputDirectory ?? base + "/input", outputDirectory: outputDirectory ?? base + "/output",
            tempDirectory: tempDirectory ?? base + "/temp")
        configuration.host = listen
        configuration.port = port
        for path in extraModelPathsConfig {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read extra model paths config \(path)")
            }
            let directory = URL(fileURLWithPath: path).standardizedFileURL.deletingLastPathComponent().path
            do {
                configuration.add(try ComfyUIExtraModelPaths(yaml: text, directory: directory))
            } catch {
                throw ValidationError("\(path): \(error)")
            }
        }
        configuration.checkpoints = checkpoint
        configuration.loras = lora
        guard renderSeconds >= 0, modelLoadSeconds >= 0, renderSpread >= 0 else {
            throw ValidationError("durations and --render-spread cannot be negative")
        }
        configuration.renderSeconds = renderSeconds
        configuration.renderSecondsSpread = renderSpread
        configuration.modelLoadSeconds = modelLoadSeconds
        configuration.device.name = deviceName
        guard vramGib > 0 else { throw ValidationError("--vram-gib must be positive") }
        guard workingVramGib >= 0, workingVramGib < vramGib else {
            throw ValidationError("--working-vram-gib must be at least 0 and less than --vram-gib")
        }
        configuration.device.vramTotalBytes = Int64(vramGib * 1_073_741_824)
        configuration.device.workingVRAMBytes = Int64(workingVramGib * 1_073_741_824)
        guard uploadMbPerS >= 0, downloadMbPerS >= 0 else { throw ValidationError("bandwidths cannot be negative") }
        configuration.uploadBytesPerSecond = uploadMbPerS * 1_000_000
        configuration.downloadBytesPerSecond = downloadMbPerS * 1_000_000
        if let outputMb { configuration.outputBytes = try MegabyteRange.bytes(outputMb, option: "--output-mb") }
        guard maxUploadSize > 0 else { throw ValidationError("--max-upload-size must be positive") }
        configuration.maxUploadBytes = Int(maxUploadSize * 1024 * 1024)
        configuration.cacheEnabled = !cacheNone
        configuration.stepProgress = !noStepProgress
        configuration.rejectsDuplicatePromptIDs = !acceptDuplicatePromptIds
        configuration.argv = ["main.py"] + Array(CommandLine.arguments.dropFirst(3))
        guard let mode = ComfyUIFaults.Mode(rawValue: failMode) else {
            throw ValidationError("--fail-mode must be one of none, crash, hang, fail")
        }
        guard let failure = ComfyUIFaults.Failure(rawValue: failure) else {
            throw ValidationError("--failure must be oom or runtime")
        }
        if let failPoison, failPoison.isEmpty { throw ValidationError("--fail-poison cannot be empty") }
        guard failAfter >= 0, failCount >= 0, failAtStep >= 1, memoryGrowthMbPerPrompt >= 0 else {
            throw ValidationError("fault counts cannot be negative and --fail-at-step starts at 1")
        }
        configuration.faults = ComfyUIFaults(
            mode: mode, afterPrompts: failAfter, count: failCount == 0 ? nil : failCount, atStep: failAtStep,
            failure: failure, poison: failPoison, websocketStall: websocketStall,
            memoryGrowthBytesPerPrompt: Int64(memoryGrowthMbPerPrompt * 1_048_576))
        configuration.crashBehaviour = .exitProcess(code: 1)
        return configuration
    }
}
