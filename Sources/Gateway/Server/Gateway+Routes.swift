import Broker
public import Hummingbird
import JobTracing
import PlatformStore
import Schedules

extension Gateway {
    /// Every route of the gateway, behind metrics, error mapping and authentication.
    ///
    /// Each area adds its own routes; `OpenAPIDocument` describes them all and a test keeps the
    /// two in step.
    public func makeRouter() -> Router<GatewayContext> {
        // HEAD wherever GET is served (RFC 9110 §9.1: every general-purpose server has both).
        let router = Router(context: GatewayContext.self, options: .autoGenerateHeadEndpoints)
        // A server span per request, continuing the caller's traceparent: a submit's span is the
        // parent of the worker's. Only with a tracer installed, so tracing off costs nothing.
        if JobTrace.isEnabled { router.add(middleware: TracingMiddleware()) }
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        // Every request at debug level, refused ones too, with its headers but never a credential.
        router.add(
            middleware: LogRequestsMiddleware(
                .debug, includeHeaders: .all(except: []), redactHeaders: [.authorization, .cookie, .proxyAuthorization]))
        router.add(middleware: ErrorMiddleware())
        router.add(
            middleware: AuthMiddleware(
                keys: keys, jwt: jwt, rateLimiter: rateLimiter,
                publicPaths: DashboardController.publicPaths.union(["/health", "/ready"]),
                publicPrefixes: [DashboardController.publicPrefix]))
        router.add(middleware: MethodNotAllowedMiddleware())
        router.add(middleware: NULTextMiddleware())
        DashboardController(
            assets: configuration.dashboardDirectory.map { DashboardAssets.located(configured: $0) } ?? .shipped,
            broker: broker, queues: kinds.queues, boxes: boxes, history: dashboardHistory
        ).addRoutes(to: router)
        JobsController(producer: producer, directory: directory, events: events, webhooks: webhookPolicy)
            .addRoutes(to: router)
        WebhooksController(store: webhooks, policy: webhookPolicy, directory: directory).addRoutes(to: router)
        SchedulesController(store: schedules, jobs: scheduledJobs).addRoutes(to: router)
        OperationsController(
            broker: broker, directory: directory, queues: kinds.queues, redis: redis, postgres: postgres, boxes: boxes,
            metrics: metrics, rates: queueRates, webhooks: webhooks, control: QueueControl(broker: broker, store: records)
        ).addRoutes(to: router)
        var batchAPI = BatchAPIController(
            postgres: postgres, blobs: blobs, maxUploadBytes: configuration.maxUploadBytes, webhooks: webhookPolicy)
        batchAPI.boxes = boxes
        batchAPI.broker = broker
        batchAPI.addRoutes(to: router)
        var dreamWeaver = DreamWeaverController(
            producer: producer, directory: directory, blobs: blobs, maxUploadBytes: configuration.maxUploadBytes
        ).with(webhooks: webhookPolicy)
        dreamWeaver.workflows = configuration.dreamWeaverWorkflows
        dreamWeaver.addRoutes(to: router)
        BoxController(boxes: boxes, broker: broker, logger: logger).addRoutes(to: router)
        QDScoresController(store: QDScoreStore(postgres: postgres)).addRoutes(to: router)
        SyntheticJobsController(
            store: SyntheticJobStore(postgres: postgres), producer: producer, records: records, logger: logger
        ).addRoutes(to: router)
        CRMImportsController(
            store: CRMImportStore(postgres: postgres), producer: producer, records: records, blobs: blobs,
            maxUploadBytes: configuration.crmMaxUploadBytes, maxRows: configuration.crmMaxRows, logger: logger,
            webhooks: webhookPolicy
        ).addRoutes(to: router)
        return router
    }
}
