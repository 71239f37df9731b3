import ArgumentParser
import Broker

/// Compares Postgres with Redis and checks Redis' own indexes; `--repair` fixes what it finds.
struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor", abstract: "Report (and with --repair fix) inconsistencies between Postgres and Redis.")

    @OptionGroup var connection: ConnectionOptions

    @Flag(help: "Fix what is found: re-enqueue lost jobs, copy terminal states, drop orphaned index entries.")
    var repair = false

    @Option(help: "Queues to check.")
    var queues: [String] = ["media", "llm", "cpu"]

    @Option(help: "Leave jobs younger than this alone (ms): their submit may still be in flight.")
    var graceMs: Int = 5_000

    func run() async throws {
        let store = try await connection.makeRecordStore()
        let broker = try await connection.makeBroker(recordOutbox: store != nil)
        let reconciler = store.map { JobReconciler(broker: broker, store: $0, gracePeriodMilliseconds: graceMs) }
        let report = try await BrokerDoctor(broker: broker, reconciler: reconciler).run(queues: queues, repair: repair)
        if let record = report.record {
            print("postgres: \(record.examined) open jobs examined")
            print("  open in postgres, missing from redis: \(record.missingFromBroker.count)\(repair ? " (re-enqueued)" : "")")
            for id in record.missingFromBroker.prefix(20) { print("    \(id)") }
            print("  open in postgres, ended in redis: \(record.endedInBroker.count)\(repair ? " (postgres updated)" : "")")
            for id in record.endedInBroker.prefix(20) { print("    \(id)") }
            print(
                "  queues whose recorded limits or pause redis does not hold: \(record.settingsDrift.count)\(repair ? " (applied again)" : "")"
            )
            for queue in record.settingsDrift { print("    \(queue)") }
            if let problem = record.settingsError {
                // The jobs were still checked; the settings need a hand (the row names itself).
                print("  queue settings could not be compared: \(problem)")
            }
        } else {
            print("postgres: not configured (set --postgres-url or VELOCITY_POSTGRES_URL); checking redis only")
        }
        for queue in queues {
            let orphans = report.orphanedIndexEntries[queue] ?? []
            print(
                "redis \(queue): \(orphans.count) orphaned index entries\(repair && !orphans.isEmpty ? " (removed)" : ""), outbox backlog \(report.outboxBacklog[queue] ?? 0)"
            )
        }
        print(report.isHealthy ? "healthy" : (repair ? "repaired" : "inconsistent: run with --repair"))
        if !report.isHealthy && !repair { throw ExitCode(1) }
    }
}
