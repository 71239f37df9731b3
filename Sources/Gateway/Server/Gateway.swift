public import BlobStore
public import Broker
import CurlClient
import Foundation
public import GPUBox
public import Hummingbird
public import JobContracts
public import Logging
import PlatformStore
public import Producer
public import Schedules
public import ServiceLifecycle
public import Webhooks

/// The HTTP face of the product, wired to its stores.
///
/// `connect` opens the Redis and Postgres pools and migrates the schema; `makeApplication`
/// builds the Hummingbird application whose services (the producer's submit batching, the
/// event hub, the record sync, the batch coordinator, the webhook sender, the scheduler) run in its
/// `ServiceGroup`; `close` releases the pools.
public final class Gateway: Sendable {
    public let configuration: GatewayConfiguration
    public let redis: RedisPool
    public let postgres: PostgresPool
    public let broker: RedisBroker
    public let records: PostgresJobRecordStore
    public let producer: JobProducer
    public let keys: APIKeyStore
    public let blobs: any BlobStore
    public let metrics: GatewayMetrics
    public let events: JobEventHub
    public let directory: JobDirectory
    public let kinds: JobKindRegistry
    /// The GPU boxes' published state and mode requests.
    public let boxes: BoxStateStore
    /// Tenants' webhook settings and secrets, and the deliveries jobs owe.
    public let webhooks: WebhookStore
    /// Tenants' schedules and their runs.
    public let schedules: ScheduleStore
    /// Where schedules' ticks become jobs: the submit path, checked as `POST /v1/jobs` is.
    let scheduledJobs: ScheduledJobSubmitter
    /// The webhook sender's own HTTP client (no redirects), shut down by `close`.
    let webhookHTTP: CurlHTTPClient
    let webhookPolicy: WebhookPolicy
    let queueRates = QueueRates()
    /// The dashboard's last hour of queue and box samples.
    let dashboardHistory: DashboardHistory
    let jwt: JWTAuthenticator?
    let rateLimiter: RateLimiter?
    let logger: Logger

    public static func connect(
        _ configuration: GatewayConfiguration, kinds: JobKindRegistry = .standard,
        blobs: (any BlobStore)? = nil, logger: Logger = Logger(label: "velocity.gateway")
    ) async throws -> Gateway {
        let redis = try await RedisPool.connect(
            RedisConfiguration(url: configuration.redisURL), size: configuration.redisConnections)
        let postgres = PostgresPool(
            url: configuration.postgresURL, searchPath: configuration.postgresSchema,
            maxConnections: configuration.postgresConnections)
        do {
            try await postgres.withConnection { connection in
                _ = try await PostgresMigrator().migrate(
                    connection,
                    migrations: GatewayMigrations.withJobRecords + WebhookMigrations.all + BoxMigrations.all
                        + PlatformMigrations.all + ScheduleMigrations.all)
            }
            let blobStore = try blobs ?? FileBlobStore(root: URL(fileURLWithPath: configuration.blobDirectory))
            let jwt: JWTAuthenticator? =
                if let secret = configuration.jwtSecret { await JWTAuthenticator(secret: secret) } else { nil }
            let gateway = Gateway(
                configuration: configuration, redis: redis, postgres: postgres, kinds: kinds, blobs: blobStore, jwt: jwt,
                logger: logger)
            for (queue, limits) in configuration.queueLimits.sorted(by: { $0.key < $1.key }) {
                guard kinds.queues.contains(queue) else {
                    throw ConfigurationError(
                        "queue_limits names queue '\(queue)', which no job kind uses; queues: \(kinds.queues.joined(separator: ", "))"
                    )
                }
                try await QueueControl(broker: gateway.broker, store: gateway.records).setLimits(queue: queue, limits)
            }
            return gateway
        } catch {
            await redis.close()
            await postgres.close()
            throw error
        }
    }

    init(
        configuration: GatewayConfiguration, redis: RedisPool, postgres: PostgresPool, kinds: JobKindRegistry,
        blobs: any BlobStore, jwt: JWTAuthenticator?, logger: Logger
    ) {
        self.configuration = configuration
        self.redis = redis
        self.postgres = postgres
        self.kinds = kinds
        self.broker = RedisBroker(
            pool: redis, configuration: RedisBrokerConfiguration(namespace: configuration.namespace, recordOutbox: true))
        self.records = PostgresJobRecordStore(pool: postgres)
        self.producer = JobProducer(
            broker: broker, store: records, kinds: kinds, batchesConcurrentSubmits: true, logger: logger)
        self.keys = APIKeyStore(pool: postgres)
        self.blobs = blobs
        self.metrics = GatewayMetrics()
        self.events = JobEventHub(broker: broker, queues: kinds.queues, logger: logger)
        self.boxes = BoxStateStore(redis: redis, namespace: configuration.namespace)
        self.directory = JobDirectory(broker: broker, records: records, queues: kinds.queues, boxes: boxes)
        self.webhooks = WebhookStore(postgres: postgres)
        self.webhookPolicy = WebhookPolicy(store: webhooks, allowInternal: configuration.webhookAllowInternal)
        self.schedules = ScheduleStore(postgres: postgres)
        self.scheduledJobs = ScheduledJobSubmitter(producer: producer, directory: directory, webhooks: webhookPolicy)
        var http = CurlHTTPClient.Configuration()
        http.followRedirects = false
        http.maxConcurrentTransfers = 16
        http.userAgent = "velocity-webhooks/1.0"
        self.webhookHTTP = CurlHTTPClient(configuration: http)
        self.dashboardHistory = DashboardHistory(intervalMilliseconds: configuration.dashboardSampleMilliseconds)
        self.jwt = jwt
        self.rateLimiter =
            configuration.rateLimitPerSecond > 0
            ? RateLimiter(
                pool: redis, namespace: configuration.namespace, rate: configuration.rateLimitPerSecond,
                burst: configuration.rateLimitBurst) : nil
        self.logger = logger
    }

    /// The long-running pieces besides the HTTP server: submit batching, the event hub, the
    /// batch coordinator, the synthetic jobs' window promoter, and the broker's maintenance (lease recovery, and with the record
    /// sync on, the sync and the reconciler).
    public var services: [any Service] {
        let metrics = self.metrics
        var services: [any Service] =
            producer.services + [
                events, BatchCoordinator(postgres: postgres, records: records, blobs: blobs, producer: producer, logger: logger),
                SyntheticWindowPromoter(
                    store: SyntheticJobStore(postgres: postgres), records: records, broker: broker, logger: logger),
                BrokerMaintenance(
                    broker: broker, store: records, queues: kinds.queues, recordSync: configuration.recordSync,
                    logger: logger, onRecordsApplied: { metrics.recordFinished($0) }),
                DashboardSampler(
                    broker: broker, queues: kinds.queues, boxes: boxes, history: dashboardHistory,
                    interval: .milliseconds(configuration.dashboardSampleMilliseconds), logger: logger),
            ]
        if configuration.webhooksEnabled {
            var webhookConfiguration = WebhookDeliveryService.Configuration()
            webhookConfiguration.allowInternal = configuration.webhookAllowInternal
            webhookConfiguration.perDestination = configuration.webhookPerDestination
            webhookConfiguration.onAttempt = { metrics.recordWebhookAttempt(outcome: $0) }
            services.append(
                WebhookDeliveryService(store: webhooks, http: webhookHTTP, configuration: webhookConfiguration, logger: logger))
        }
        if configuration.schedulerEnabled {
            var schedulerConfiguration = Scheduler.Configuration()
            schedulerConfiguration.onDecided = { metrics.recordTick(decision: $0.rawValue, delay: $1) }
            services.append(
                SchedulerService(
                    scheduler: Scheduler(
                        store: schedules, jobs: scheduledJobs, configuration: schedulerConfiguration, logger: logger),
                    logger: logger))
        }
        return services
    }

    /// The application: the router on the configured address, with `services` in its group
    /// after `first` (a trace exporter, which must stop last to flush the others' spans).
    public func makeApplication(first: [any Service] = []) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "velocity-gateway"),
            services: first + services, logger: logger)
    }

    /// Closes the pools; call after the application has stopped.
    public func close() async {
        try? await webhookHTTP.shutdown()
        await redis.close()
        await postgres.close()
    }
}
