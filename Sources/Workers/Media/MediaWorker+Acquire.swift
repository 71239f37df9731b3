import BlobStore
import Broker
import CurlClient

extension MediaWorker {
    /// Claims a job and uploads its photo to ComfyUI; nil once the worker stops or the
    /// backend went down. Jobs that cannot be prepared are failed (or given back) here.
    func acquire(slot: Int, consumer: any JobConsumer, running: RunningJobs) async -> MediaJob? {
        while !isStopping && health.isHealthy {
            let claimed: ClaimedJob
            do {
                guard let job = try await consumer.claim(maxJobs: 1, wait: configuration.claimWait).first else { continue }
                claimed = job
            } catch {
                if isStopping { return nil }
                logger.error("claim from \(configuration.queue) failed: \(error)")
                try? await Task.sleep(for: .milliseconds(250))
                continue
            }
            let context = JobContext(lease: claimed.lease, broker: broker)
            running.insert(context, leaseMilliseconds: claimed.leaseMilliseconds)
            do {
                return try await prepare(claimed, context: context, slot: slot)
            } catch {
                await settle(claimed, context: context, failure: preparationFailure(error), started: false, running: running)
            }
        }
        return nil
    }

    /// Reads the payload and the photo, and uploads it as this slot's input file.
    private func prepare(_ claimed: ClaimedJob, context: JobContext, slot: Int) async throws -> MediaJob {
        let payload = try DreamWeaverJobPayload.decode(claimed.payload)
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
        return MediaJob(claimed: claimed, context: context, payload: payload, input: input, slot: slot)
    }

    /// A job that never reached the GPU: bad input fails it, a backend failure or a stop gives
    /// it back unspent.
    private func preparationFailure(_ error: any Error) -> JobFailure {
        if Task.isCancelled || error is CancellationError {
            return JobFailure(code: "worker_stopped", message: "the worker stopped before the render", disposition: .release)
        }
        if let error = error as? ComfyUIError {
            if error.isBackendFailure || error.httpStatus.map({ $0 >= 500 }) == true {
                backendFailed("upload failed: \(error.message)")
                return JobFailure(code: error.code.rawValue, message: error.message, disposition: .release)
            }
            return JobFailure(code: error.code.rawValue, message: error.message, retriable: error.retriable)
        }
        if let error = error as? JobError {
            return JobFailure(code: error.code, message: error.message, retriable: error.retriable)
        }
        if let error = error as? BlobStoreError {
            return JobFailure(code: error.code.rawValue, message: error.message, retriable: true)
        }
        return JobFailure(code: "handler_error", message: String(describing: error), retriable: true)
    }

    /// Gives a prepared job back unspent.
    func release(_ job: MediaJob, running: RunningJobs, reason: String) async {
        let failure = JobFailure(code: "worker_released", message: "given back before its render: \(reason)", disposition: .release)
        await settle(job.claimed, context: job.context, failure: failure, started: false, running: running)
    }

    /// Records an attempt's failure with the broker; reports the end of a started job.
    func settle(_ claimed: ClaimedJob, context: JobContext, failure: JobFailure, started: Bool, running: RunningJobs) async {
        // Recorded even when the worker's task is cancelled (that is when releases happen).
        let broker = self.broker
        let outcome: Result<JobState, any Error> = await Task {
            do { return .success(try await broker.fail(claimed.lease, failure)) } catch { return .failure(error) }
        }.value
        running.remove(claimed.id)
        switch outcome {
        case .success(let state):
            logger.info(
                "job \(claimed.id) \(failure.code): \(failure.message) → \(state.rawValue)",
                metadata: ["queue": .string(claimed.lease.queue), "worker": .string(configuration.workerID)])
        case .failure(let error):
            logger.warning("could not record the failure of job \(claimed.id): \(error)")
        }
        if started {
            let result: WorkerJobOutcome
            switch failure.disposition {
            case .canceled: result = .canceled
            case .release: result = .released
            case .error, .retry: result = .failed(code: failure.code)
            }
            activity(.jobFinished(jobID: claimed.id, outcome: result))
        }
    }

    /// `[A-Za-z0-9._-]` only, for a file name ComfyUI accepts anywhere.
    static func fileSafe(_ text: String) -> String {
        String(text.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") ? $0 : "_" })
    }
}
