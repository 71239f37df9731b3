import Broker
import Foundation
import GPUBox
import HTTPTypes
public import Hummingbird
import JobContracts
import NIOCore
import PlatformStore
import Webhooks

/// Health, readiness, queue depth, pause/resume, dead letters, metrics.
public struct OperationsController: Sendable {
    let broker: any JobBroker
    let directory: JobDirectory
    let queues: [String]
    let redis: RedisPool
    let postgres: PostgresPool
    let boxes: BoxStateStore
    let metrics: GatewayMetrics
    let rates: QueueRates
    let webhooks: WebhookStore
    /// Pause and limits: recorded in Postgres, then applied to the broker.
    let control: QueueControl

    init(
        broker: any JobBroker, directory: JobDirectory, queues: [String], redis: RedisPool, postgres: PostgresPool,
        boxes: BoxStateStore, metrics: GatewayMetrics, rates: QueueRates, webhooks: WebhookStore, control: QueueControl
    ) {
        self.webhooks = webhooks
        self.control = control
        self.broker = broker
        self.directory = directory
        self.queues = queues
        self.redis = redis
        self.postgres = postgres
        self.boxes = boxes
        self.metrics = metrics
        self.rates = rates
    }

    public func addRoutes(to router: Router<GatewayContext>) {
        router.get("/health", use: health)
        router.get("/ready", use: ready)
        router.get("/metrics", use: metrics)
        router.get("/openapi.json", use: openAPI)
        router.get("/v1/queues", use: queues)
        router.get("/api/admin-surface/queues", use: queues)
        router.post("/v1/queues/{name}/pause", use: pause)
        router.post("/v1/queues/{name}/resume", use: resume)
        router.get("/v1/queues/{name}/dead", use: dead)
        router.post("/v1/queues/{name}/dead/{id}/replay", use: replay)
        router.get("/v1/queues/{name}/limits", use: limits)
        router.put("/v1/queues/{name}/limits", use: setLimits)
    }

    @Sendable func health(_ request: Request, context: GatewayContext) async throws -> Response {
        try JSONResponse.make(["status": "ok"])
    }

    struct Readiness: Encodable {
        var status: String
        var redis: String
        var postgres: String
    }

    /// 200 when Redis and Postgres both answer, 503 naming the one that does not.
    @Sendable func ready(_ request: Request, context: GatewayContext) async throws -> Response {
        let redis: String
        do {
            _ = try await self.redis.send(RedisCommand("PING"))
            redis = "ok"
        } catch {
            redis = "unreachable: \(error)"
        }
        let postgres: String
        do {
            _ = try await self.postgres.withConnection { try await $0.query("SELECT 1") }
            postgres = "ok"
        } catch {
            postgres = "unreachable: \(error)"
        }
        let ok = redis == "ok" && postgres == "ok"
        return try JSONResponse.make(
            Readiness(status: ok ? "ready" : "not_ready", redis: redis, postgres: postgres),
            status: ok ? .ok : .serviceUnavailable)
    }

    struct QueueSummary: Encodable {
        var name: String
        var paused: Bool
        var depth: [String: Int]
        var oldest_waiting_ms: Int
        /// Jobs per second over the last minute; null until two samples a second apart exist.
        var enqueue_rate: Double?
        var completion_rate: Double?
        var totals: [String: Int]
        var fair_share: FairShareView

        /// Rates are written as `null` until known, so every queue has the same keys.
        func encode(to encoder: any Encoder) throws {
            enum Key: String, CodingKey {
                case name, paused, depth, oldest_waiting_ms, enqueue_rate, completion_rate, totals, fair_share
            }
            var container = encoder.container(keyedBy: Key.self)
            try container.encode(name, forKey: .name)
            try container.encode(paused, forKey: .paused)
            try container.encode(depth, forKey: .depth)
            try container.encode(oldest_waiting_ms, forKey: .oldest_waiting_ms)
            try container.encode(enqueue_rate, forKey: .enqueue_rate)
            try container.encode(completion_rate, forKey: .completion_rate)
            try container.encode(totals, forKey: .totals)
            try container.encode(fair_share, forKey: .fair_share)
        }
    }

    struct QueueList: Encodable {
        var object = "list"
        var data: [QueueSummary]
    }

    @Sendable func queues(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.requirePrincipal()
        var summaries: [QueueSummary] = []
        for queue in queues {
            let depth = try await broker.depth(queue: queue)
            let rate = rates.observe(depth)
            summaries.append(
                QueueSummary(
                    name: queue, paused: depth.paused,
                    depth: depth.countsByState,
                    oldest_waiting_ms: depth.oldestQueuedMilliseconds, enqueue_rate: rate?.enqueued,
                    completion_rate: rate?.completed,
                    totals: [
                        "enqueued": depth.enqueuedTotal, "succeeded": depth.succeededTotal, "failed": depth.failedTotal,
                        "canceled": depth.canceledTotal, "retried": depth.retriedTotal,
                        "lease_recoveries": depth.recoveredTotal, "dead": depth.deadTotal,
                    ], fair_share: FairShareView(try await broker.fairShare(queue: queue))))
        }
        return try JSONResponse.make(QueueList(data: summaries))
    }

    func queueName(_ context: GatewayContext) throws -> String {
        let name = try context.parameter("name")
        guard queues.contains(name) else { throw GatewayError.notFound("queue '\(name)'") }
        return name
    }

    @Sendable func pause(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.require(.operator)
        let queue = try queueName(context)
        try await control.setPaused(queue: queue, true)
        return try JSONResponse.make(["name": queue, "paused": "true"])
    }

    @Sendable func resume(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.require(.operator)
        let queue = try queueName(context)
        try await control.setPaused(queue: queue, false)
        return try JSONResponse.make(["name": queue, "paused": "false"])
    }

    struct DeadList: Encodable {
        var object = "list"
        var queue: String
        var data: [JobView]
    }

    @Sendable func dead(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        let queue = try queueName(context)
        let limit = try PageQuery.limit(request, default: 100, max: 1_000)
        let ids = try await broker.deadJobs(queue: queue, limit: limit)
        let views = try await directory.views(queue: queue, ids: ids, for: principal)
        return try JSONResponse.make(DeadList(queue: queue, data: views))
    }

    @Sendable func replay(_ request: Request, context: GatewayContext) async throws -> Response {
        let principal = try context.require(.operator)
        let queue = try queueName(context)
        let id = try context.parameter("id")
        let view = try await directory.view(id: id, for: principal)
        guard view.queue == queue else { throw GatewayError.notFound("job") }
        try await broker.replay(queue: queue, jobID: id)
        return try JSONResponse.make(try await directory.view(id: id, for: principal))
    }

    @Sendable func openAPI(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.requirePrincipal()
        return Response(
            status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(data: try OpenAPIDocument.data())))
    }

    @Sendable func metrics(_ request: Request, context: GatewayContext) async throws -> Response {
        _ = try context.requirePrincipal()
        var depths: [String: QueueDepth] = [:]
        var shares: [String: QueueFairShare] = [:]
        for queue in queues {
            let depth = try await broker.depth(queue: queue)
            depths[queue] = depth
            self.metrics.update(depth)
            let share = try await broker.fairShare(queue: queue)
            shares[queue] = share
            self.metrics.update(share)
            _ = rates.observe(depth)
        }
        let views = try await boxes.boxes()
        self.metrics.update(views, heartbeatTimeout: BoxDirectory.heartbeatTimeout)
        // The open windows, read once: the mode advice plans for them, the synthetic jobs' gauges come from them.
        let open = try await broker.openBatches(queue: OracleSyntheticTemplate.kind.queue, limit: 1_000)
        let llmWindows = OracleSyntheticTemplate.kind.queue == LLMChat.kind.queue ? open : nil
        self.metrics.update(
            try await ModeAdviceReader(broker: broker).advice(
                views, depths: depths, shares: shares, openBatches: llmWindows))
        let now = Date().timeIntervalSince1970
        // OpenAI batches from their rows; synthetic jobs from the broker's open windows.
        let counts = Dictionary(open.map { ($0.parent, $0.counts) }, uniquingKeysWith: { first, _ in first })
        let synthetic = try await SyntheticJobStore(postgres: postgres).windowed(ids: open.map(\.parent))
        self.metrics.updateBatchWindows(
            try await BatchStore(pool: postgres).inProgressBatches().compactMap { batch in
                batch.window(now: now).map { (batch.id, $0) }
            }
                + synthetic.compactMap { job in
                    counts[job.id].flatMap { job.window(ended: $0.ended, total: $0.total, now: now) }.map { (job.id, $0) }
                })
        let backlog = try await webhooks.backlog()
        self.metrics.updateWebhooks(pending: backlog.pending, oldestPendingAge: backlog.oldestAge)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: self.metrics.render())))
    }
}
