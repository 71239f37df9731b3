import VelocityTypes

extension OpenAPIDocument {
    typealias Op = APIOperation

    /// Every route of the gateway.
    public static let operations: [APIOperation] =
        jobs + dreamWeaver + batches + operationsRoutes + llmKinds + crmImports + scheduleRoutes
        + dashboardRoutes

    static let jobs: [APIOperation] = [
        Op(
            "POST", "/v1/jobs", "Submit a job; durable in Postgres before the answer (optional signed webhook_url)", tag: "jobs",
            body: .json("JobSubmit"),
            responses: [
                Op.status(202, "Accepted", "Accepted"), Op.ok("Accepted", "An Idempotency-Key repeat: the first job"),
                Op.status(400, "Malformed JSON"), Op.status(413, "Body too large"),
                Op.status(422, "Schema error; details.field names the field"),
                Op.status(503, "Queue unavailable (Retry-After)"),
            ], takesIdempotencyKey: true),
        Op(
            "GET", "/v1/jobs", "List the tenant's jobs, newest first", tag: "jobs",
            responses: [
                Op.ok("JobList"), Op.status(403, "Another tenant's jobs, not as an admin"), Op.status(422, "Bad filter"),
            ],
            query: [
                QueryParameter("tenant", "admins only: another tenant's jobs (default: the caller's)"),
                QueryParameter(
                    "since", "jobs made at or after this time: Unix milliseconds (an ISO 8601 time is read too)",
                    .integer(0...(1 << 48) - 1, defaultValue: nil)),
                QueryParameter("state", "one state", .oneOf(JobState.allCases.map(\.rawValue))),
                QueryParameter("kind", "a job kind"), QueryParameter.cursor(QueryParameter.uuidPattern), .limit(500, default: 50),
            ]),
        Op(
            "GET", "/v1/jobs/{id}", "A job's status, queue position, progress, timings and error", tag: "jobs",
            responses: [Op.ok("Job"), Op.status(404, "Unknown job, or another tenant's")]),
        Op(
            "GET", "/v1/jobs/{id}/result", "A finished job's result", tag: "jobs",
            responses: [Op.ok("JobResult"), Op.status(404, "Unknown job"), Op.status(409, "Not finished yet")]),
        Op(
            "POST", "/v1/jobs/{id}/cancel", "Cancel a job (idempotent)", tag: "jobs",
            responses: [Op.ok("CancelOutcome"), Op.status(404, "Unknown job")]),
        Op(
            "GET", "/v1/jobs/{id}/events", "Server-Sent Events: one per state change, ending at a terminal state",
            tag: "jobs",
            responses: [
                Op.ok("JobEvent", "event: <state> or position, data: the job", media: "text/event-stream"),
                Op.status(404, "Unknown job"),
            ]
        ),
        Op(
            "GET", "/v1/jobs/{id}/webhooks", "A job's webhook deliveries, each attempt with its status and latency",
            tag: "webhooks", responses: [Op.ok("WebhookDeliveryList"), Op.status(404, "Unknown job")]),
        Op(
            "GET", "/v1/webhooks", "The tenant's default webhook, events and the secrets that sign", tag: "webhooks",
            responses: [Op.ok("WebhookSettings")], role: .operator),
        Op(
            "PUT", "/v1/webhooks", "Set the tenant's default webhook URL and events", tag: "webhooks",
            body: .json("WebhookSettingsUpdate"),
            responses: [Op.ok("WebhookSettings"), Op.status(422, "Bad URL, internal destination or unknown event")],
            role: .operator),
        Op(
            "POST", "/v1/webhooks/secrets", "A new signing secret; the old ones sign on for overlap_seconds", tag: "webhooks",
            body: .optionalJSON("WebhookSecretRotate"),
            responses: [Op.status(201, "The new secret", "WebhookSecret"), Op.status(422, "Bad overlap")],
            role: .operator),
    ]

    static let dreamWeaver: [APIOperation] = [
        Op(
            "POST", "/dream-weaver", "Upload a room photo to stage", tag: "dream-weaver",
            body: .multipart([
                ("image", true, true), ("room_type", false, true), ("style", false, true), ("seed", false, false),
                ("workflow", false, false),
                ("webhook_url", false, false), ("webhook_events", false, false),
            ]),
            responses: [
                Op.status(202, "Accepted", "DreamWeaverAccepted"),
                Op.ok("DreamWeaverAccepted", "An Idempotency-Key repeat: the first render"),
                Op.status(413, "Image or body too large"),
                Op.status(415, "Not a PNG, JPEG or WebP, or not decodable"), Op.status(422, "Missing or invalid field"),
            ], takesIdempotencyKey: true),
        Op(
            "GET", "/dream-weaver/status/{job_id}", "A render's status", tag: "dream-weaver",
            responses: [Op.ok("Job"), Op.status(404, "Unknown job")]),
        Op(
            "GET", "/dream-weaver/result/{job_id}", "The staged PNG", tag: "dream-weaver",
            responses: [
                Op.ok("binary", "The render", media: "image/png"),
                Op.status(409, "Not done: the status JSON", "Job"), Op.status(404, "Unknown job"),
            ]),
        Op(
            "GET", "/dream-weaver/input/{job_id}", "The uploaded room photo, as it was sent", tag: "dream-weaver",
            responses: [
                Op.ok("binary", "The photo", media: "image/jpeg"), Op.status(404, "Unknown job, or its photo is gone"),
            ]),
        Op(
            "GET", "/dream-weaver/health", "Media queue health", tag: "dream-weaver",
            responses: [Op.ok("DreamWeaverHealth")]),
    ]

    static let batches: [APIOperation] = [
        Op(
            "POST", "/v1/files", "Upload a JSONL batch input file (OpenAI Files API)", tag: "batches",
            body: .multipart([("purpose", false, true), ("file", true, true)]),
            responses: [
                Op.ok("File"), Op.status(400, "Malformed multipart body"), Op.status(413, "File too large"),
                Op.status(415, "Not multipart"),
                Op.status(422, "Missing file or bad purpose"),
            ]),
        Op(
            "GET", "/v1/files", "List files, newest first", tag: "batches", responses: [Op.ok("FileList")],
            query: [
                QueryParameter("purpose", "only files of this purpose"), QueryParameter("after", "a file id: the files after it"),
                .limit(10_000, default: 100),
            ]),
        Op(
            "GET", "/v1/files/{id}", "A file object", tag: "batches",
            responses: [Op.ok("File"), Op.status(404, "Unknown file")]),
        Op(
            "GET", "/v1/files/{id}/content", "A file's bytes", tag: "batches",
            responses: [Op.ok("binary", "The file", media: "application/jsonl"), Op.status(404, "Unknown file")]),
        Op(
            "POST", "/v1/batches", "Create a batch from an uploaded file (OpenAI Batch API)", tag: "batches",
            body: .json("BatchCreate"),
            responses: [Op.ok("Batch"), Op.status(404, "Unknown input file"), Op.status(422, "Bad endpoint, window or metadata")]),
        Op(
            "GET", "/v1/batches", "List batches", tag: "batches", responses: [Op.ok("BatchList")],
            query: [QueryParameter("after", "a batch id: the batches after it"), .limit(100, default: 20)]),
        Op(
            "GET", "/v1/batches/{id}", "A batch object", tag: "batches",
            responses: [Op.ok("Batch"), Op.status(404, "Unknown batch")]),
        Op(
            "POST", "/v1/batches/{id}/cancel", "Cancel a batch", tag: "batches",
            responses: [Op.ok("Batch"), Op.status(404, "Unknown batch"), Op.status(409, "Already ended")]),
        Op(
            "GET", "/v1/batches/{id}/webhooks", "A batch's webhook deliveries (batch.completed …), each attempt with its status",
            tag: "webhooks", responses: [Op.ok("WebhookDeliveryList"), Op.status(404, "Unknown batch")]),
        Op(
            "POST", "/api/runtime/llm/batch", "Submit an LLM batch (platform shape)", tag: "batches",
            body: .json("RuntimeBatch"),
            responses: [
                Op.status(202, "Accepted", "RuntimeBatchAccepted"), Op.status(400, "Malformed JSON"),
                Op.status(413, "Body too large"), Op.status(422, "Missing or invalid field"),
            ]),
        Op(
            "GET", "/api/runtime/llm/jobs/{job_id}", "An LLM batch's status (platform shape)", tag: "batches",
            responses: [Op.ok("RuntimeBatchStatus"), Op.status(404, "Unknown batch")]),
        Op(
            "GET", "/api/runtime/llm/jobs/{job_id}/results", "An LLM batch's results (platform shape)", tag: "batches",
            responses: [
                Op.ok("RuntimeBatchResults"), Op.status(404, "Unknown batch"),
                Op.status(409, "Not completed: the status JSON", "RuntimeBatchStatus"),
            ]),
    ]

    static let operationsRoutes: [APIOperation] = [
        Op("GET", "/health", "Liveness", tag: "operations", responses: [Op.ok("Health")], isPublic: true),
        Op(
            "GET", "/ready", "Readiness: Redis and Postgres reachable", tag: "operations",
            responses: [Op.ok("Readiness"), Op.status(503, "Not ready", "Readiness")], isPublic: true),
        Op(
            "GET", "/metrics", "Prometheus metrics", tag: "operations",
            responses: [Op.ok("binary", "Text exposition format", media: "text/plain")]),
        Op("GET", "/openapi.json", "This document", tag: "operations", responses: [Op.ok(nil)]),
        Op("GET", "/v1/queues", "Queue depth, age, rates", tag: "operations", responses: [Op.ok("QueueList")]),
        Op(
            "GET", "/v1/gpus", "GPU boxes: mode, agent heartbeat, per GPU backend, current job and health",
            tag: "operations", responses: [Op.ok("BoxList")]),
        Op(
            "POST", "/v1/ops/mode", "Ask a box to switch mode (media, llm, split); its agent drains and switches",
            tag: "operations", body: .json("ModeSwitch"),
            responses: [
                Op.status(202, "Switch requested", "ModeSwitchAccepted"), Op.status(404, "Unknown box"),
                Op.status(409, "No box reports here"),
                Op.status(422, "Bad mode, or box missing with several boxes"),
            ], role: .operator),
        Op(
            "GET", "/v1/ops/mode/advice",
            "Which mode (media, llm, split) would finish each box's queued work soonest and meet the interactive targets, and why",
            tag: "operations",
            responses: [
                Op.ok("ModeAdviceList"), Op.status(404, "Unknown box"), Op.status(409, "The box's agent is not heartbeating"),
            ], query: [QueryParameter("box", "one box (default: every live box)")], role: .operator),
        Op(
            "PUT", "/v1/ops/mode/autopilot",
            "Turn a box's autopilot on (it follows its mode advice, with hysteresis) or off; an explicit mode turns it off",
            tag: "operations", body: .json("AutopilotUpdate"),
            responses: [
                Op.ok("Autopilot"), Op.status(404, "Unknown box"), Op.status(409, "No box reports here"),
                Op.status(422, "A time out of range, or box missing with several boxes"),
            ], role: .operator),
        Op(
            "POST", "/v1/gpus/{box}/{index}/drain",
            "Take a GPU out of service: its running jobs finish, then its backend stops, until undrained",
            tag: "operations", body: .json("GPUDrainRequest"),
            responses: [
                Op.status(202, "Drain recorded; the agent follows within a tick", "GPUDrain"),
                Op.status(404, "Unknown box or GPU"), Op.status(422, "Bad index or reason"),
            ], pathValues: ["index": .integer(0...Int(Int64.max), defaultValue: nil)], role: .operator),
        Op(
            "DELETE", "/v1/gpus/{box}/{index}/drain", "Put a drained GPU (an operator's drain or a fatal Xid) back in service",
            tag: "operations", responses: [Op.ok("GPUDrain"), Op.status(404, "Unknown box or GPU")],
            pathValues: ["index": .integer(0...Int(Int64.max), defaultValue: nil)], role: .operator),
        Op(
            "GET", "/api/admin-surface/queues", "Queue depth, age, rates (platform path)", tag: "operations",
            responses: [Op.ok("QueueList")]),
        Op(
            "POST", "/v1/queues/{name}/pause", "Stop handing out a queue's jobs", tag: "operations",
            responses: [Op.ok("QueuePaused"), Op.status(404, "Unknown queue")], role: .operator),
        Op(
            "POST", "/v1/queues/{name}/resume", "Resume a paused queue", tag: "operations",
            responses: [Op.ok("QueuePaused"), Op.status(404, "Unknown queue")], role: .operator),
        Op(
            "GET", "/v1/queues/{name}/limits", "A queue's fair-share weights, concurrency caps and rate limits",
            tag: "operations", responses: [Op.ok("QueueLimits"), Op.status(404, "Unknown queue")]),
        Op(
            "PUT", "/v1/queues/{name}/limits", "Replace a queue's weights, caps and rates; parked jobs are looked at again",
            tag: "operations", body: .json("QueueLimits"),
            responses: [
                Op.ok("QueueLimits"), Op.status(404, "Unknown queue"), Op.status(422, "A rule the broker cannot apply"),
            ], role: .operator),
        Op(
            "GET", "/v1/queues/{name}/dead", "Dead jobs of a queue, oldest first", tag: "operations",
            responses: [Op.ok("JobList"), Op.status(404, "Unknown queue"), Op.status(422, "Bad limit")],
            query: [.limit(1_000, default: 100)], role: .operator),
        Op(
            "POST", "/v1/queues/{name}/dead/{id}/replay", "Queue a dead job again", tag: "operations",
            responses: [Op.ok("Job"), Op.status(404, "Unknown job or queue"), Op.status(409, "The job is not dead")],
            role: .operator),
    ]
}
