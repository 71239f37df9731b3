import Broker
import Emulators
import Foundation
import JobContracts
import TestSupport
import Testing

@testable import Workers

extension MediaWorkerEndToEndTests {
    static let twilightCheckpoint = "dreamweaver_twilight_xl.safetensors"

    /// The shipped workflow under another name, loading another checkpoint.
    static func twilightWorkflow() throws -> DreamWeaverWorkflow {
        let manifestURL = URL(fileURLWithPath: MediaTestRig.manifestPath)
        var manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as! [String: Any]
        var graph =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: manifestURL.deletingLastPathComponent().appendingPathComponent("dream_weaver.json")))
            as! [String: Any]
        manifest["name"] = "dream_weaver_twilight"
        manifest["models"] = [["folder": "checkpoints", "name": twilightCheckpoint]]
        var loader = graph["1"] as! [String: Any]
        loader["inputs"] = ["ckpt_name": twilightCheckpoint]
        graph["1"] = loader
        return try DreamWeaverWorkflow(
            manifestJSON: Array(try JSONSerialization.data(withJSONObject: manifest)),
            workflowJSON: Array(try JSONSerialization.data(withJSONObject: graph)))
    }

    /// Six renders alternating two workflows on one GPU that holds one checkpoint at a time.
    func alternatingRenders(modelAffinity: Duration?) async throws -> (loads: Int, order: [String?]) {
        let staging = try await DreamWeaverWorkflow.load(manifestAt: MediaTestRig.manifestPath)
        let rig = try await MediaTestRig(workflows: [staging, try Self.twilightWorkflow()])
        defer { Task { await rig.tearDown() } }
        return try await withEmulators(
            rig, gpus: 1, renderSeconds: 0.1,
            configure: { _, configuration in
                configuration.checkpoints = ["dreamweaver_staging_xl.safetensors", Self.twilightCheckpoint]
                configuration.device.workingVRAMBytes = 12 * 1_073_741_824
            }
        ) { emulators, urls in
            let workflows: [String?] = [nil, "dream_weaver_twilight", nil, "dream_weaver_twilight", nil, "dream_weaver_twilight"]
            // Queued before the worker starts, so it sees them all from its first claim.
            let ids = try await rig.submitMany(
                (0..<6).map { MediaTestRig.picture(width: 16, height: 16, salt: $0) }, workflows: workflows)
            var configuration = rig.workerConfiguration(gpu: 0)
            configuration.modelAffinity = modelAffinity
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0], configuration: configuration), logger: rig.logger)
            return try await withServices([{ try await worker.run() }]) {
                for id in ids {
                    let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                    #expect(job.state == .succeeded, "\(job.errorCode ?? ""): \(job.errorMessage ?? "")")
                }
                let started = rig.activities(gpu: 0).compactMap { activity -> String? in
                    if case .jobStarted(let id) = activity { return id }
                    return nil
                }
                let order = started.map { id in workflows[ids.firstIndex(of: id)!] }
                return (emulators[0].statistics.modelLoads, order)
            }
        }
    }

    @Test("model-aware claims run a GPU's loaded workflow first: two loads for six alternating renders, six without")
    func modelAwareRouting() async throws {
        let aware = try await alternatingRenders(modelAffinity: .seconds(600))
        #expect(aware.loads == 2)
        #expect(aware.order == [nil, nil, nil, "dream_weaver_twilight", "dream_weaver_twilight", "dream_weaver_twilight"])
        let naive = try await alternatingRenders(modelAffinity: nil)
        #expect(naive.loads == 6)
        #expect(naive.order == [nil, "dream_weaver_twilight", nil, "dream_weaver_twilight", nil, "dream_weaver_twilight"])
    }

    @Test("a job naming a workflow the worker does not have fails for good, with unknown_workflow, and renders nothing")
    func unknownWorkflowFails() async throws {
        let rig = try await MediaTestRig()
        defer { Task { await rig.tearDown() } }
        try await withEmulators(rig, gpus: 1, renderSeconds: 0.1) { emulators, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                let id = try await rig.submitMany([MediaTestRig.picture(width: 16, height: 16)], workflows: ["night_vision"])[0]
                let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                #expect(job.state == .failed)
                #expect(job.errorCode == "unknown_workflow")
                #expect(job.attempts == 1)
                #expect(job.errorMessage?.contains("night_vision") == true)
                #expect(emulators[0].statistics.renders == 0)
            }
        }
    }
}
