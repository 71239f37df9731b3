import ArgumentParser
import BlobStore
import Broker
import CMalloc
import CurlClient
import Foundation
import Logging
import PlatformStore
import PostgresClient
import ServiceLifecycle
import Workers
import Yams

/// A worker process for one queue, with lease recovery and (with Postgres) record sync.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run a worker: the CRM import steps (crm), or a built-in handler (noop, sleep:MS, fail, fail-once).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Queue to consume.")
    var queue: String

    @Option(
        help:
            "Handler: crm (crm.import steps; needs --postgres-url and the gateway's blob store), noop, sleep:MS, fail, fail-once."
    )
    var handler: String = "noop"

    /// The gateway's blob store, for --handler crm.
    @OptionGroup var blobStore: BlobStoreOptions

    @Option(help: "Jobs run at once.")
    var concurrency: Int = 1

    @Option(
        help:
            "YAML (or JSON) file of the queue's fair-share weights, caps and rates, applied at start (see /v1/queues/{name}/limits)."
    )
    var limits: String?

    @Option(
        help:
            "Append one JSON line per attempt started and ended to this file (job, attempt, attempt_id, worker, at_ms, outcome): for audits and fault-injection checkers."
    )
    var journal: String?

    @Option(help: "Worker id recorded on the jobs it runs.")
    var workerID: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

    func run() async throws {
        let logger = Logger.velocity("worker")
        // Before anything connects: a journal that cannot be written stops the worker here.
        let journal = try journal.map { path in
            do { return try AttemptJournal(path: path) } catch {
                throw ValidationError("cannot append to the journal \(path): \(error.localizedDescription)")
            }
        }
        defer { journal?.close() }
        let store = try await connection.makeRecordStore()
        let broker = try await connection.makeBroker(recordOutbox: store != nil)
        if let limits {
            // Recorded too when there is a record store, so a Redis that loses its data gets them back.
            try await QueueControl(broker: broker, store: store).setLimits(
                queue: queue, try Self.queueLimits(fromFile: limits))
        }
        let handler = try await makeHandler(logger: logger)
        let jobs: any JobHandler = journal.map { JournaledHandler(inner: handler, journal: $0, worker: workerID) } ?? handler
        let tracing = try TracingExport.start(service: "velocity-worker")
        let services: [any Service] =
            (tracing.map { [$0] } ?? []) + [
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

    /// One queue's limits from a YAML or JSON file, checked as the broker checks them.
    static func queueLimits(fromFile path: String) throws -> QueueLimits {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ValidationError("cannot read limits file \(path)")
        }
        do {
            let limits = try YAMLDecoder().decode(QueueLimits.self, from: text)
            try limits.validate()
            return limits
        } catch let error as BrokerError {
            throw ValidationError("\(path): \(error.message)")
        } catch {
            throw ValidationError("\(path) is not a mapping of weights, caps and rates: \(error)")
        }
    }

    func validate() throws {
        if let limits { _ = try Self.queueLimits(fromFile: limits) }
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
        // A propose step builds chunks of tens of megabytes on several threads. glibc serves such
        // blocks by mmap only until the first is freed, then raises its threshold and carves them
        // from per-thread arenas that keep the memory: measured at 1,000,000 rows, four arenas of
        // 60 MB stayed resident. A fixed threshold hands every large block back when freed.
        _ = mallopt(M_MMAP_THRESHOLD, 256 * 1024)
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
