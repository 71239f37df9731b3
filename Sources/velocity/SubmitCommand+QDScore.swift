import ArgumentParser
import Foundation

extension SubmitCommand {
    /// A `qd.score` job from a perception packet file.
    struct QDScore: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "qd-score",
            abstract: "Score a showroom perception packet (a qd.score job); with --wait, print its QD signal bundle.")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "The packet: person_id, lead_id, session_id, consent, signals [{t_ms, name, value}], scene.")
        var packet: String
        @Option(help: "Idempotency key: a repeat with the same key returns the first job.") var idempotencyKey: String?
        @Flag(help: "Follow the job and print its result; exit 0 only if it succeeded.") var wait = false

        func run() async throws {
            guard let data = FileManager.default.contents(atPath: packet) else {
                throw ValidationError("cannot read \(packet)")
            }
            let text = String(decoding: data, as: UTF8.self)
            guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
                throw ValidationError("\(packet) must hold a JSON object")
            }
            try await SubmitCommand.submitJob(
                body: #"{"kind":"qd.score","payload":"# + text + "}", idempotencyKey: idempotencyKey, wait: wait,
                gateway: gateway)
        }
    }
}
