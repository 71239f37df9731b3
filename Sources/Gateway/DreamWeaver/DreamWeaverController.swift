public import BlobStore
import Broker
import HTTPTypes
public import Hummingbird
public import Images
import JobContracts
import NIOCore
import NIOPosix
public import Producer

/// Dream Weaver, as the platform's web and iPad clients call it: upload a room photo with a
/// room type and style keywords, poll the status, download the PNG.
///
/// - `POST /dream-weaver` (multipart: `image`, `room_type`, `style`, optional `seed`) → 202
///   `{job_id, status, status_url, result_url}`
/// - `GET /dream-weaver/status/{job_id}` → the status JSON (`DreamWeaverStatus`)
/// - `GET /dream-weaver/result/{job_id}` → `image/png` once succeeded, else 409 with the status JSON
/// - `GET /dream-weaver/health` → the media queue's state
public struct DreamWeaverController: Sendable {
    public static let kind = DreamWeaverRender.kind.name

    let producer: JobProducer
    let directory: JobDirectory
    let broker: any JobBroker
    let blobs: any BlobStore
    let maxUploadBytes: Int
    let images: ImageValidator
    /// The workflows an upload may choose.
    var workflows = [DreamWeaverRender.defaultWorkflow]
    /// Reads the optional `webhook_url` and `webhook_events` fields (set by the gateway).
    var webhooks: WebhookPolicy?

    public init(
        producer: JobProducer, directory: JobDirectory, blobs: any BlobStore, maxUploadBytes: Int,
        limits: ImageLimits = ImageLimits()
    ) {
        self.producer = producer
        self.directory = directory
        self.broker = producer.broker
        self.blobs = blobs
        self.maxUploadBytes = maxUploadBytes
        self.images = ImageValidator(limits: limits)
    }

    /// The controller with the gateway's webhook policy: uploads may then name a `webhook_url`.
    func with(webhooks: WebhookPolicy) -> DreamWeaverController {
        var copy = self
        copy.webhooks = webhooks
        return copy
    }

    public func addRoutes(to router: Router<GatewayContext>) {
        router.post("/dream-weaver", use: submit)
        router.get("/dream-weaver/health", use: health)
        router.get("/dream-weaver/status/{job_id}", use: status)
        router.get("/dream-weaver/result/{job_id}", use: result)
        router.get("/dream-weaver/input/{job_id}", use: input)
    }

    struct Accepted: Encodable {
        var job_id: String
        var status: String
        var status_url: String
        var result_url: String
    }

    /// Streams the image into a staged blob, validates everything, then records the job and
    /// commits the blob; any refusal discards the staged bytes, so it leaves nothing behind.
    @Sendable func submit(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.submitter)
        let form = try await MultipartUpload(
            blobs: blobs, fileFields: ["image"],
            limits: .init(maxFileBytes: maxUploadBytes)
        ).read(request)
        var committedKey: String?
        do {
            guard let image = form.files["image"] else {
                throw GatewayError.invalid(field: "image", "is required (a PNG, JPEG or WebP file)")
            }
            let fields = try DreamWeaverForm(fields: form.fields, workflows: workflows)
            guard image.byteCount > 0 else { throw GatewayError.invalid(field: "image", "is empty") }
            let bytes = try await image.upload.stagedBytes()
            let validator = images
            let validated: ValidatedImage
            do {
                // Decoding a PNG is CPU work in C: off the cooperative pool.
                validated = try await NIOThreadPool.singleton.runIfActive { try validator.validate(bytes) }
            } catch let error as UploadError {
                var refusal = error.gatewayError
                refusal.details["field"] = "image"
                throw refusal
            }
            // The blobs are named after the job, so its id comes first.
            let jobID = JobID.make()
            let payload = DreamWeaverRender.Payload(jobID: jobID, form: fields, image: validated)
            var jobRequest = JobRequest(
                id: jobID, kind: DreamWeaverRender.kind.name, payload: try .typed(DreamWeaverRender.self, payload),
                tenant: principal.tenant, actor: principal.subject,
                idempotencyKey: request.headers[HTTPField.Name("Idempotency-Key")!])
            if let webhooks {
                let url = form.fields["webhook_url"].map(HeaderParameters.trim).flatMap { $0.isEmpty ? nil : $0 }
                let events = form.fields["webhook_events"].map(HeaderParameters.trim).flatMap { $0.isEmpty ? nil : $0 }
                    .map { $0.split(separator: ",").map { HeaderParameters.trim(String($0)) } }
                jobRequest.webhook = try await webhooks.webhook(url: url, events: events, tenant: principal.tenant)
            }
            let submission = try producer.prepare(jobRequest)

            try await image.upload.commit(as: payload.input_blob)
            committedKey = payload.input_blob
            let receipt = try await producer.submit(submission)
            committedKey = nil  // the job owns the blob now
            var status = "queued"
            if !receipt.created {
                // An Idempotency-Key replay: the earlier job has its own input; drop this copy.
                try? await blobs.delete(payload.input_blob)
                status = (try? await directory.view(id: receipt.id, for: principal).status) ?? status
            }
            return try JSONResponse.make(
                Accepted(
                    job_id: receipt.id, status: status, status_url: DreamWeaverStatus.statusURL(receipt.id),
                    result_url: DreamWeaverStatus.resultURL(receipt.id)),
                status: receipt.created ? .accepted : .ok,
                headers: [.location: DreamWeaverStatus.statusURL(receipt.id)])
        } catch {
            await form.discard()
            if let committedKey { try? await blobs.delete(committedKey) }
            throw error
        }
    }

    /// The job if `principal` may see it and it is a render; 404 otherwise.
    func view(_ context: GatewayContext) async throws -> JobView {
        let principal = try context.requirePrincipal()
        let view = try await directory.view(id: context.parameter("job_id"), for: principal)
        guard view.kind == Self.kind else { throw GatewayError.notFound("job") }
        return view
    }

    /// How long a presigned `output_url` stays valid.
    static let outputURLLifetime: Duration = .seconds(900)

    /// The status JSON; once the render succeeded, with `output_url`, a presigned URL of the PNG
    /// when the blob store hands those out (S3), so a client fetches it from the store directly.
    @Sendable func status(_ request: Request, context: GatewayContext) async throws -> Response {
        let view = try await view(context)
        var outputURL: String?
        if view.status == JobState.succeeded.rawValue {
            let text = try await directory.result(id: view.id, for: context.requirePrincipal()).result
            outputURL = try await blobs.readURL(Self.outputBlob(of: view.id, result: text), expiresIn: Self.outputURLLifetime)
        }
        return try JSONResponse.make(try DreamWeaverStatus.json(view, outputURL: outputURL))
    }

    /// The rendered PNG once the job succeeded; 409 with the status JSON while it is not
    /// done, and after it failed, was canceled or died (its `error` says why).
    @Sendable func result(_ request: Request, context: GatewayContext) async throws -> Response {
        let view = try await view(context)
        guard view.status == JobState.succeeded.rawValue else {
            return try JSONResponse.make(try DreamWeaverStatus.json(view), status: .conflict)
        }
        let principal = try context.requirePrincipal()
        let text = try await directory.result(id: view.id, for: principal).result
        let key = Self.outputBlob(of: view.id, result: text)
        let bytes: [UInt8]
        do {
            bytes = try await blobs.read(key)
        } catch let error as BlobStoreError where error.code == .blobNotFound {
            throw GatewayError(
                .internalServerError, .internalError, "the render of job \(view.id) succeeded but its image is missing",
                cause: error)
        }
        return Response(
            status: .ok,
            headers: [.contentType: "image/png", .contentLength: String(bytes.count), .cacheControl: "private, max-age=86400"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    /// `GET /dream-weaver/input/{job_id}`: the photo as it was uploaded, for the dashboard's
    /// side-by-side view (404 once the blob is gone).
    @Sendable func input(_ request: Request, context: GatewayContext) async throws -> Response {
        let view = try await view(context)
        for (fileExtension, contentType) in [("jpg", "image/jpeg"), ("png", "image/png"), ("webp", "image/webp")] {
            let key = DreamWeaverRender.inputBlob(jobID: view.id, fileExtension: fileExtension)
            let bytes: [UInt8]
            do {
                bytes = try await blobs.read(key)
            } catch let error as BlobStoreError where error.code == .blobNotFound {
                continue
            }
            return Response(
                status: .ok,
                headers: [
                    .contentType: contentType, .contentLength: String(bytes.count), .cacheControl: "private, max-age=86400",
                ],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        throw GatewayError.notFound("the photo of job \(view.id)")
    }

    /// The blob the worker named in its result, if it lies under this job's own prefix (a
    /// result must never point a client at another job's blobs); else the payload's default.
    static func outputBlob(of id: String, result: String?) -> String {
        if let result, let named = JSONValue(parsing: result)?["output_blob"]?.stringValue,
            named.hasPrefix("dream-weaver/\(id)/"), !named.contains("..")
        {
            return named
        }
        return DreamWeaverRender.outputBlob(jobID: id)
    }

    struct Health: Encodable {
        struct Queue: Encodable {
            var name: String
            var paused: Bool
            var queued: Int
            var active: Int
            var oldest_waiting_ms: Int
        }
        var status: String
        var queue: Queue
    }

    /// `ok`, or `degraded` while the media queue is paused (renders wait until it resumes).
    @Sendable func health(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.requirePrincipal()
        let queue = producer.kinds.kind(named: Self.kind)?.queue ?? "media"
        let depth = try await broker.depth(queue: queue)
        return try JSONResponse.make(
            Health(
                status: depth.paused ? "degraded" : "ok",
                queue: .init(
                    name: queue, paused: depth.paused, queued: depth.queued, active: depth.active,
                    oldest_waiting_ms: depth.oldestQueuedMilliseconds)))
    }
}
