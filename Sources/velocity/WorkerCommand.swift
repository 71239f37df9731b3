import ArgumentParser
import Broker
import CurlClient
import Foundation
import Logging
import ServiceLifecycle
import Workers
import PlatformStore
import PostgresClient
import BlobStore

/// A worker process for one queue, with lease recovery and (with Postgres) record sync.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: the CRM import steps (crm), or a built-in handler (noop, sleep:MS, fail, fail-once).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Queue to consume.")
    var queue: String

    @Option(help: "Handler: crm (crm.import steps; needs --postgres-url and the gateway's blob store), noop, sleep:MS, fail, fail-once.")
    var handler: String = "noop"

    /// The gateway's blob store, for --handler crm.
    @OptionGroup var blobStore: BlobStoreOptions

    @Option(help: "Jobs run at once.")
    var concurrency: Int = 1

    @Option(help: "Worker id recorded on the jobs it runs.")
    var workerID: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

    func run() async throws {
        let logger = Logger.velocity("worker")
        let store = try await connection.makeRecordStore()
        let broker = try await connection.makeBroker(recordOutbox: store != nil)
        let jobs = try await makeHandler(logger: logger)
        let tracing = try TracingExport.start(service: "velocity-worker")
        let services: [any Service] = (tracing.map { [$0] } ?? []) + [
            QueueWorker(
                configuration: .init(queue: queue, workerID: workerID, concurrency: concurrency),
                broker: broker, handler: jobs, logger: logger),
            BrokerMaintenance(broker: broker, store: store, queues: [queue], logger: logger),
        ]
        logger.info("worker \(workerID) consuming \(queue)")
        // Ready marker for scripts and tests that start workers.
        print("worker \(workerID) ready on \(queue)")
        fflush(nil)
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }

    func validate() throws {
        if handler == "crm" {
            guard connection.resolvedPostgresURL != nil else {
                throw ValidationError("--handler crm needs --postgres-url (or VELOCITY_POSTGRES_URL)")
            }
            _ = try blobStore.location(environment: ProcessInfo.processInfo.environment)
        } else if BuiltInHandler(argument: handler) == nil {
            throw ValidationError("--handler must be crm, noop, sleep:MS, fail or fail-once, not '\(handler)'")
        }
    }

    /// The CRM import steps, on the platform's tables (migrated here) and the gateway's blobs;
    /// or a built-in handler.
    func makeHandler(logger: Logger) async throws -> any JobHandler {
        guard handler == "crm", let url = connection.resolvedPostgresURL else {
            return BuiltInHandler(argument: handler) ?? BuiltInHandler(argument: "noop")!
        }
        let postgres = PostgresPool(url: url, maxConnections: 4)
        try await PlatformMigrations.migrate(postgres)
        var router = JobRouter()
        router.register(
            CRMImportProcessor(
                store: CRMImportStore(postgres: postgres),
                blobs: try blobStore.open(environment: ProcessInfo.processInfo.environment, http: CurlHTTPClient()),
                logger: logger))
        return router
    }
}
