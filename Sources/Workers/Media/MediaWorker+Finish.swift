import BlobStore
import Broker
import Foundation
import Images
import NIOPosix

extension MediaWorker {
    /// Stores a finished render: fetches the output node's image through `/view`, checks it is
    /// a PNG with libpng, writes it to the payload's `output_blob`, completes the job with
    /// `{"output_blob", "width", "height"}`, and deletes ComfyUI's history entry.
    func finish(_ rendered: RenderedJob, running: RunningJobs) async {
        let job = rendered.job
        do {
            let outputs = rendered.entry.outputs
            guard let file = outputs[workflow.manifest.output_node]?.first else {
                throw ComfyUIError(
                    .comfyUIOutputMissing,
                    "prompt \(rendered.promptID) ended without an image from node \(workflow.manifest.output_node)"
                        + " (outputs from: \(outputs.keys.sorted().joined(separator: ", ")))",
                    retriable: true)
            }
            let bytes = try await comfyUI.view(file)
            let image: PNGValidator.Image
            do {
                image = try await NIOThreadPool.singleton.runIfActive { try PNGValidator().validate(bytes) }
            } catch {
                throw ComfyUIError(.comfyUIInvalidOutput, "\(file.filename) is not a valid PNG: \(error)", retriable: true)
            }
            try await blobs.write(bytes, as: job.payload.output_blob)
            let result = DreamWeaverResult(output_blob: job.payload.output_blob, width: image.width, height: image.height)
            let text = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
            try await broker.complete(job.claimed.lease, result: text)
            running.remove(job.id)
            activity(.jobFinished(jobID: job.id, outcome: .succeeded))
        } catch {
            await settle(job, storeFailure(error), running: running)
        }
        try? await comfyUI.deleteHistory([rendered.promptID])
    }

    private func storeFailure(_ error: any Error) -> JobFailure {
        if Task.isCancelled || error is CancellationError {
            return JobFailure(code: "worker_stopped", message: "the worker stopped while storing the render", disposition: .release)
        }
        if let error = error as? ComfyUIError {
            if error.isBackendFailure {
                backendFailed("fetching an output failed: \(error.message)")
                return JobFailure(
                    code: error.code.rawValue, message: error.message, disposition: .retry,
                    delayMilliseconds: configuration.backendFailureRetryDelayMilliseconds)
            }
            return JobFailure(code: error.code.rawValue, message: error.message, retriable: error.retriable)
        }
        if let error = error as? BlobStoreError {
            return JobFailure(code: error.code.rawValue, message: error.message, retriable: true)
        }
        if let error = error as? BrokerError {
            return JobFailure(code: error.code.rawValue, message: error.message, retriable: true)
        }
        return JobFailure(code: "handler_error", message: String(describing: error), retriable: true)
    }
}
