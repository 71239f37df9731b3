import BlobStore
import Broker
import Foundation
import Images
import JobContracts
import NIOPosix

extension MediaWorker {
    /// Stores a finished render: fetches the output node's image through `/view`, checks it is
    /// a PNG with libpng, writes it to the payload's `output_blob`, completes the job with
    /// `{"output_blob", "width", "height"}`, and deletes ComfyUI's history entry.
    func finish(_ rendered: RenderedJob) async {
        let job = rendered.job
        do {
            let outputs = rendered.entry.outputs
            guard let file = outputs[job.workflow.manifest.output_node]?.first else {
                throw ComfyUIError(
                    .comfyUIOutputMissing,
                    "prompt \(rendered.promptID) ended without an image from node \(job.workflow.manifest.output_node)"
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
            try await store(bytes, as: job.payload.output_blob, job: job)
            let result = DreamWeaverRender.Result(output_blob: job.payload.output_blob, width: image.width, height: image.height)
            let text = try DreamWeaverRender.encode(result: result)
            try await runtime.complete(job.claimed, result: text)
        } catch {
            let failure = WorkerRuntime.failure(
                for: error, context: job.context, stopping: "the worker stopped while storing the render",
                classify: storeFailure)
            await settle(job, failure)
        }
        try? await comfyUI.deleteHistory([rendered.promptID])
    }

    /// Writes a finished render to the blob store, trying again (`storeBackoff`) for up to
    /// `outputStoreRetry` while the store fails (a full disk, an S3 outage): the render is done,
    /// and failing the attempt would spend a GPU on making it again. A cancel or a lost lease
    /// stops the tries; the last failure is the attempt's.
    private func store(_ bytes: [UInt8], as key: String, job: MediaJob) async throws {
        let deadline = ContinuousClock.now + configuration.outputStoreRetry
        var failures = 0
        while true {
            do {
                return try await blobs.write(bytes, as: key)
            } catch let error as BlobStoreError where error.code == .blobIO {
                failures += 1
                let delay = Self.storeBackoff.delay(afterAttempt: failures)
                guard ContinuousClock.now + delay < deadline, !job.context.isCancelRequested else { throw error }
                logger.warning("storing the render of job \(job.claimed.id) failed (\(error.message)); trying again in \(delay)")
                try await Task.sleep(for: delay)
            }
        }
    }

    /// 250 ms growing to 5 s between tries to store a render.
    static let storeBackoff = BackoffPolicy(baseMilliseconds: 250, maxMilliseconds: 5_000)

    /// An output fetch that failed because the backend went down: another attempt, soon, on
    /// another GPU.
    private func storeFailure(_ error: any Error) -> JobFailure? {
        guard let error = error as? ComfyUIError, error.isBackendFailure else { return nil }
        backendFailed("fetching an output failed: \(error.message)")
        return JobFailure(
            code: error.code.rawValue, message: error.message, disposition: .retry,
            delayMilliseconds: configuration.backendFailureRetryDelayMilliseconds)
    }
}
