import CurlClient
import Foundation
import GPUBox
import Logging
import NIOPosix
import ServiceLifecycle

/// What lanes share: the configuration, how to start and probe a backend, how to make its
/// workers. The agent fills it; tests can too.
struct LaneEnvironment: Sendable {
    let configuration: AgentConfiguration
    let logger: Logger
    let http: CurlHTTPClient
    let factory: WorkerFactory
    /// The agent's own executable, for `{velocity}` in backend commands.
    let executablePath: String
    /// The GPUs as last read, by index.
    let gpus: @Sendable () -> [Int: GPUInfo]
    /// What hydration produced for the current mode: `extra_model_paths.yaml` and the LLM
    /// model path (empty strings when hydration is off).
    let models: @Sendable () -> (extraModelPaths: String, llmModelPath: String)

    func baseURL(_ spec: LaneSpec) -> String { "http://127.0.0.1:\(spec.port)" }

    func directory(_ spec: LaneSpec) -> String {
        configuration.workDirectory + "/" + spec.name.replacingOccurrences(of: "@", with: "-")
    }

    /// Where the lane's backend writes its output (standard error too).
    func logPath(_ spec: LaneSpec) -> String { directory(spec) + "/backend.log" }

    /// The placeholder values of a lane's command line.
    func values(_ spec: LaneSpec) -> [String: String] {
        let known = gpus()
        let uuids = spec.gpuIndices.map { known[$0]?.uuid ?? String($0) }
        let directory = directory(spec)
        let models = models()
        return [
            "port": String(spec.port),
            "gpu_index": spec.gpuIndices.map(String.init).joined(separator: ","),
            "gpu_uuid": uuids.joined(separator: ","),
            "gpu_uuids": uuids.joined(separator: ","),
            "input_dir": directory + "/input",
            "output_dir": directory + "/output",
            "temp_dir": directory + "/temp",
            "extra_model_paths": models.extraModelPaths,
            "model_path": models.llmModelPath,
            "tp": String(spec.gpuIndices.count),
            "base_gpu_id": String(spec.gpuIndices.first ?? 0),
            "velocity": executablePath,
        ]
    }

    /// Where the lane records its backend's pid (`OrphanedBackend`).
    func pidPath(_ spec: LaneSpec) -> String { directory(spec) + "/backend.pid" }

    /// Starts the lane's backend, first stopping one a previous agent left running.
    func startBackend(_ spec: LaneSpec) async throws(AgentError) -> BackendProcess {
        let template: BackendCommand =
            switch spec.kind {
            case .media: configuration.comfyUI
            case .llm: configuration.llm
            }
        let (command, environment) = try template.rendered(with: values(spec))
        let directory = directory(spec)
        do {
            for sub in ["input", "output", "temp"] {
                try FileManager.default.createDirectory(atPath: directory + "/" + sub, withIntermediateDirectories: true)
            }
        } catch {
            throw AgentError(.backendStartFailed, "\(spec.name): cannot create \(directory)", cause: error)
        }
        // /proc/PID/cmdline holds the argv a previous agent spawned, placeholders filled the same way.
        await OrphanedBackend.stop(recordedIn: pidPath(spec), command: command, logger: logger)
        logger.info("starting \(spec.name): \(command.joined(separator: " "))")
        let process = try BackendProcess.start(
            name: spec.name, command: command, environment: environment, logPath: logPath(spec))
        OrphanedBackend.record(process.pid, in: pidPath(spec))
        return process
    }

    /// Polls until the backend answers, then runs the full health check, all within the
    /// readiness timeout; throws if the process exits or time runs out. Returns the model name
    /// an LLM server serves (nil for ComfyUI).
    func waitReady(_ spec: LaneSpec, process: BackendProcess) async throws -> String? {
        let probe = probe(spec)
        let deadline = ContinuousClock.now + configuration.readinessTimeout
        while !(await probe.isUp()) {
            if let status = process.exitStatus {
                throw AgentError(.backendExited, "\(spec.name) exited with status \(status) while starting")
            }
            guard ContinuousClock.now < deadline else {
                throw AgentError(.backendNotReady, "\(spec.name) did not answer within \(configuration.readinessTimeout)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        return try await probe.check(timeout: max(.seconds(5), deadline - ContinuousClock.now))
    }

    func probe(_ spec: LaneSpec) -> BackendProbe {
        switch spec.kind {
        case .media: BackendProbe(kind: .comfyUI, baseURL: baseURL(spec), http: http)
        case .llm: BackendProbe(kind: .llm(model: configuration.llmModel), baseURL: baseURL(spec), http: http)
        }
    }

    /// Removes ComfyUI's saved outputs older than `age`: the workers copy each output to the blob
    /// store and ComfyUI has no route to delete files, so without this its output directory grows
    /// by one image per job. Runs on NIO's thread pool (directory walks block).
    func pruneOutputs(_ spec: LaneSpec, olderThan age: Duration) async {
        guard case .media = spec.kind else { return }
        let root = directory(spec) + "/output"
        let cutoff = Date().addingTimeInterval(-Double(age.components.seconds))
        let removed = try? await NIOThreadPool.singleton.runIfActive { () -> Int in
            var removed = 0
            let files = FileManager.default.enumerator(
                at: URL(fileURLWithPath: root), includingPropertiesForKeys: [.contentModificationDateKey, .isRegularFileKey])
            while let file = files?.nextObject() as? URL {
                let values = try? file.resourceValues(forKeys: [.contentModificationDateKey, .isRegularFileKey])
                guard values?.isRegularFile == true, let modified = values?.contentModificationDate, modified < cutoff else {
                    continue
                }
                if (try? FileManager.default.removeItem(at: file)) != nil { removed += 1 }
            }
            return removed
        }
        if let removed, removed > 0 { logger.debug("pruned \(removed) old outputs of \(spec.name)") }
    }

    /// Asks ComfyUI to unload its models before it is stopped (best effort: it is about to die).
    func freeBackend(_ spec: LaneSpec) async {
        guard case .media = spec.kind else { return }
        _ = try? await http.execute(
            .bytes(
                "POST", baseURL(spec) + "/free", Array(#"{"unload_models":true,"free_memory":true}"#.utf8),
                contentType: "application/json"))
    }

    /// The fault domain of a lane's backend: its box and GPUs, stable across restarts.
    func faultDomain(_ spec: LaneSpec) -> String {
        "\(configuration.box)/gpu" + spec.gpuIndices.map(String.init).joined(separator: "+")
    }

    /// The lane's workers; `servedModel` is what its health check found the LLM server serving.
    func makeWorkers(
        _ spec: LaneSpec, servedModel: String?, lifeline: BackendLifeline, activity: @escaping WorkerActivitySink
    ) throws -> [any Service] {
        let known = gpus()
        let lane = WorkerFactory.Lane(
            name: spec.name, baseURL: baseURL(spec), gpus: spec.gpuIndices.compactMap { known[$0] },
            workerID: "\(configuration.box)/\(spec.name)/\(UUID().uuidString.prefix(8).lowercased())",
            model: servedModel ?? configuration.llmModel ?? "", activity: activity, lifeline: lifeline)
        switch spec.kind {
        case .media: return try factory.media(lane)
        case .llm: return try factory.llm(lane)
        }
    }
}

extension AgentConfiguration {
    var drainDeadline: Duration { .milliseconds(Int(drainDeadlineSeconds * 1000)) }
    var readinessTimeout: Duration { .milliseconds(Int(readinessTimeoutSeconds * 1000)) }
    var maxRestartBackoff: Duration { .milliseconds(Int(maxRestartBackoffSeconds * 1000)) }
}
