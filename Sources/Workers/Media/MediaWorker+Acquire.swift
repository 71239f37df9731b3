import BlobStore
import Broker
import CurlClient
import JobContracts

extension MediaWorker {
    /// Claims a job and uploads its photo to ComfyUI; nil once the worker stops or the
    /// backend went down. Jobs that cannot be prepared are failed (or given back) here. A
    /// prefetch claims only once the render `nearEndOf` is within `prefetchLead` of its end.
    func acquire(slot: Int, consumer: any JobConsumer, nearEndOf pace: RenderPace? = nil) async -> MediaJob? {
        if let pace {
            await pace.untilNearEnd(lead: configuration.prefetchLead) { isStopping || !health.isHealthy }
        }
        while !isStopping && health.isHealthy {
            let claimed: ClaimedJob
            do {
                guard let job = try await consumer.claim(maxJobs: 1, wait: configuration.claimWait, prefer: preference).first
                else { continue }
                claimed = job
            } catch {
                if isStopping { return nil }
                logger.error("claim from \(configuration.queue) failed: \(error)")
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            let context = runtime.hold(claimed)
            if isStopping || !health.isHealthy {
                // Claimed as the worker stopped or its backend died (a claim blocks up to a
                // second): back unspent now, not after an upload to a backend that is gone.
                let failure = JobFailure(
                    code: VelocityErrorCode.workerStopped.rawValue,
                    message: "given back: the worker stopped as it claimed the job",
                    disposition: .release)
                await runtime.fail(claimed, failure, started: false)
                return nil
            }
            do {
                return try await context.traced { try await prepare(claimed, context: context, slot: slot) }
            } catch {
                let failure = WorkerRuntime.failure(
                    for: error, context: context, stopping: "the worker stopped before the render",
                    classify: preparationFailure)
                await runtime.fail(claimed, failure, started: false)
            }
        }
        return nil
    }

    /// Reads the payload and the photo, and uploads it as this slot's input file.
    private func prepare(_ claimed: ClaimedJob, context: JobContext, slot: Int) async throws -> MediaJob {
        let payload = try DreamWeaverRender.payload(fromJSON: claimed.payload)
        let workflow = try workflows.workflow(for: payload)
        let bytes: [UInt8]
        do {
            bytes = try await blobs.read(payload.input_blob)
        } catch let error as BlobStoreError where error.code == .blobNotFound || error.code == .blobInvalidKey {
            throw JobError(code: "input_missing", message: "input blob \(payload.input_blob): \(error.message)", retriable: false)
        }
        let name = "\(Self.fileSafe(configuration.workerID))-\(slot).\(payload.fileExtension)"
        let input = try await comfyUI.uploadImage(
            bytes, filename: name, subfolder: configuration.inputSubfolder,
            contentType: MultipartForm.contentType(forFilename: name))
        // Rendered next on this GPU: its models are what the GPU will hold.
        loaded.use(workflow)
        return MediaJob(claimed: claimed, context: context, payload: payload, workflow: workflow, input: input, slot: slot)
    }

    /// The claim preference of model-aware routing: the workflows whose models the GPU holds.
    var preference: ClaimPreference? {
        guard let passOver = configuration.modelAffinity else { return nil }
        let affinities = workflows.affinities(holding: loaded.held)
        return affinities.isEmpty ? nil : ClaimPreference(affinities: affinities, passOver: passOver)
    }

    /// A job that never reached the GPU: a backend failure gives it back unspent (and stops
    /// claiming); a missing input blob fails it for good.
    private func preparationFailure(_ error: any Error) -> JobFailure? {
        guard let error = error as? ComfyUIError else { return nil }
        if error.isBackendFailure || error.httpStatus.map({ $0 >= 500 }) == true {
            backendFailed("upload failed: \(error.message)")
            return JobFailure(code: error.code.rawValue, message: error.message, disposition: .release)
        }
        return nil
    }

    /// Gives a prepared job back unspent.
    func release(_ job: MediaJob, reason: String) async {
        let failure = JobFailure(
            code: "worker_released", message: "given back before its render: \(reason)", disposition: .release)
        await runtime.fail(job.claimed, failure, started: false)
    }

    /// `[A-Za-z0-9._-]` only, for a file name ComfyUI accepts anywhere.
    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
    }
}
