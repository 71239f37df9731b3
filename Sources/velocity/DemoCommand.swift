import ArgumentParser
import Broker
import Foundation
import Logging
import JobContracts
import Producer
import Workers

/// The local stack's main job for now: submits a few CRM import jobs through the producer
/// (recorded in Postgres first), drains them with a worker, and shows where each one ended,
/// in Redis and in Postgres.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo", abstract: "Submit a few jobs and drain them with a demo worker.")

    @OptionGroup var connection: ConnectionOptions

    @Option(help: "Jobs to submit.")
    var jobs: Int = 12

    struct DemoHandler: JobHandler {
        struct Payload: Decodable {
            var ms: Int
            var failOnce: Bool?
            enum CodingKeys: String, CodingKey {
                case ms
                case failOnce = "fail_once"
            }
        }

        func handle(_ job: ClaimedJob, context: JobContext) async throws -> String? {
            let payload = try JSONDecoder().decode(Payload.self, from: Data(job.payload.utf8))
            if payload.failOnce == true, job.attempt == 1 {
                throw JobError(code: "demo_transient", message: "the first attempt fails on purpose", retriable: true)
            }
            for step in 1...4 {
                try await Task.sleep(for: .milliseconds(payload.ms / 4))
                try await context.progress(Double(step) / 4, message: "row batch \(step) of 4", checkpoint: "\(step)")
            }
            return #"{"rows_imported":\#(payload.ms),"attempt":\#(job.attempt)}"#
        }
    }

    func run() async throws {
        let logger = Logger.velocity("demo")
        let store = try await connection.makeRecordStore()
        let broker = try await connection.makeBroker(recordOutbox: store != nil)
        let producer = JobProducer(broker: broker, store: store, logger: logger)
        let queue = JobKind.cpuTask.queue
        let requests = (0..<jobs).map { i in
            JobRequest(
                kind: JobKind.cpuTask.name, payload: #"{"ms":\#(200 + 50 * (i % 5)),"fail_once":\#(i % 5 == 4)}"#,
                tenant: "demo", priority: i % 3,
                backoff: BackoffPolicy(baseMilliseconds: 200, maxMilliseconds: 1_000),
                timeouts: .init(heartbeatMilliseconds: 5_000))
        }
        let receipts = try await producer.submit(requests)
        print("submitted \(receipts.count) \(JobKind.cpuTask.name) jobs to queue '\(queue)'\(store == nil ? "" : " (recorded in Postgres first)")")

        let worker = QueueWorker(
            configuration: .init(queue: queue, workerID: "demo-worker", concurrency: 4),
            broker: broker, handler: DemoHandler(), logger: logger)
        let ids = receipts.map(\.id)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await worker.run() }
            group.addTask { try await BrokerMaintenance(broker: broker, store: store, queues: [queue], logger: logger).run() }
            while true {
                let states = try await broker.states(queue: queue, ids: ids)
                let done = states.filter { $0?.isTerminal == true }.count
                let depth = try await broker.depth(queue: queue)
                print("  \(done)/\(ids.count) done · queued \(depth.queued) · scheduled \(depth.scheduled) · running \(depth.active)")
                if done == ids.count { break }
                try await Task.sleep(for: .milliseconds(400))
            }
            if let store {
                // The terminal states reach Postgres through the outbox.
                for _ in 0..<100 {
                    var open = 0
                    for id in ids where try await store.job(id: id)?.state.isTerminal != true { open += 1 }
                    if open == 0 { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
            }
            group.cancelAll()
        }
        print("\njob                                   state      attempts  postgres")
        for id in ids {
            let job = try await broker.job(queue: queue, id: id)
            let recorded = try await store?.job(id: id)
            print("\(id)  \((job?.state.rawValue ?? "?").padding(toLength: 9, withPad: " ", startingAt: 0))  \(job?.attempts ?? 0)         \(recorded?.state.rawValue ?? "-")")
        }
    }
}
