import ArgumentParser
import Broker
import Foundation
import Logging
import ServiceLifecycle
import Workers

/// A worker process for one queue, with lease recovery and (with Postgres) record sync.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Run a worker with a built-in handler (noop, sleep:MS, fail, fail-once).")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Queue to consume.")
    var queue: String

    @Option(help: "Handler: noop, sleep:MS, fail, fail-once.")
    var handler: BuiltInHandler = BuiltInHandler(argument: "noop")!

    @Option(help: "Jobs run at once.")
    var concurrency: Int = 1

    @Option(help: "Worker id recorded on the jobs it runs.")
    var workerID: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"

    func run() async throws {
        let logger = Logger.velocity("worker")
        let store = try await connection.makeRecordStore()
        let broker = try await connection.makeBroker(recordOutbox: store != nil)
        let services: [any Service] = [
            QueueWorker(
                configuration: .init(queue: queue, workerID: workerID, concurrency: concurrency),
                broker: broker, handler: handler, logger: logger),
            BrokerMaintenance(broker: broker, store: store, queues: [queue], logger: logger),
        ]
        logger.info("worker \(workerID) consuming \(queue)")
        // Ready marker for scripts and tests that start workers.
        print("worker \(workerID) ready on \(queue)")
        fflush(nil)
        let group = ServiceGroup(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        try await group.run()
    }
}
