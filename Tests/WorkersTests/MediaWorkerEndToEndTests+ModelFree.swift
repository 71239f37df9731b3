import Broker
import Foundation
import Images
import TestSupport
import Testing

@testable import Workers

extension MediaWorkerEndToEndTests {
    /// Image operations only: no checkpoint, no prompt, no seed. ComfyUI runs such a graph.
    static let modelFreeWorkflow = """
        {"2": {"class_type": "LoadImage", "inputs": {"image": "example.png"}},
         "3": {"class_type": "ImageScale", "inputs": {"image": ["2", 0], "upscale_method": "bilinear",
               "width": 24, "height": 20, "crop": "disabled"}},
         "9": {"class_type": "SaveImage", "inputs": {"images": ["3", 0], "filename_prefix": "ComfyUI"}}}
        """

    static let modelFreeManifest = """
        {"workflow": "resize.json", "output_node": "9", "prompt_template": "{room} {style}", "models": [],
         "parameters": {"image": {"node": "2", "input": "image", "type": "image"},
                        "filename_prefix": {"node": "9", "input": "filename_prefix", "type": "string"}}}
        """

    @Test("a workflow that loads no model loads, and renders end to end")
    func modelFreeWorkflowRenders() async throws {
        let workflow = try DreamWeaverWorkflow(
            manifestJSON: Array(Self.modelFreeManifest.utf8), workflowJSON: Array(Self.modelFreeWorkflow.utf8))
        #expect(workflow.models.isEmpty)
        let rig = try await MediaTestRig(workflow: workflow)
        defer { Task { await rig.tearDown() } }
        try await withEmulators(
            rig, gpus: 1, renderSeconds: 0.2, configure: { _, configuration in configuration.checkpoints = [] }
        ) { _, urls in
            let worker = DrainableWorker(rig.worker(gpu: 0, baseURL: urls[0]), logger: rig.logger)
            try await withServices([{ try await worker.run() }]) {
                let id = try await rig.submit(MediaTestRig.picture(width: 40, height: 30))
                let job = try await rig.waitForState(id, [.succeeded, .failed, .dead])
                #expect(job.state == .succeeded, "\(job.errorCode ?? ""): \(job.errorMessage ?? "")")
                let result = try #require(job.result)
                #expect(result.contains(#""width":24"#) && result.contains(#""height":20"#), "\(result)")
            }
        }
    }
}
