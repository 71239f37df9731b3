import ArgumentParser
import Broker
import Foundation

/// Depth of each queue by state, oldest waiting age and lifetime counters.
struct QueuesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "queues", abstract: "Show queue depths.")

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "Queues to show.")
    var queues: [String] = ["media", "llm", "cpu"]

    @Flag(help: "One JSON object per line.")
    var json = false

    func run() async throws {
        let broker = try await connection.makeBroker(recordOutbox: false)
        if !json {
            print("queue        queued  scheduled  active   dead  finished  oldest_ms  paused  succeeded  failed  retried  recovered")
        }
        for queue in queues {
            let d = try await broker.depth(queue: queue)
            if json {
                let data = try JSONEncoder().encode(d)
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(
                    [
                        queue.padding(toLength: 11, withPad: " ", startingAt: 0), "\(d.queued)", "\(d.scheduled)",
                        "\(d.active)", "\(d.dead)", "\(d.finished)", "\(d.oldestQueuedMilliseconds)",
                        d.paused ? "yes" : "no", "\(d.succeededTotal)", "\(d.failedTotal)", "\(d.retriedTotal)",
                        "\(d.recoveredTotal)",
                    ].joined(separator: "  "))
            }
        }
    }
}
