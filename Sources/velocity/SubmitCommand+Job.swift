import ArgumentParser
import CurlClient
import Foundation

extension SubmitCommand {
    /// `POST /v1/jobs`, optionally following the job to its end.
    struct Job: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "job",
            abstract: "Submit one job (POST /v1/jobs); with --wait, follow it and print its result.")

        @OptionGroup var gateway: GatewayClientOptions
        @Option(help: "Job kind, e.g. llm.chat.") var kind: String
        @Option(help: "Payload, a JSON object.") var payload: String?
        @Option(help: "File holding the payload JSON object.") var payloadFile: String?
        @Option(help: "Priority; higher runs first.") var priority: Int?
        @Option(help: "Attempts before the job is dead.") var maxAttempts: Int?
        @Option(help: "Run no earlier than this many milliseconds from now.") var delayMs: Int?
        @Option(help: "Longest wait in the queue, in milliseconds.") var waitTimeoutMs: Int?
        @Option(help: "Longest run, in milliseconds.") var runTimeoutMs: Int?
        @Option(help: "Heartbeat timeout, in milliseconds.") var heartbeatMs: Int?
        @Option(help: "Idempotency key: a repeat with the same key returns the first job.") var idempotencyKey: String?
        @Flag(help: "Follow the job with a progress bar and print its result; exit 0 only if it succeeded.")
        var wait = false

        func validate() throws {
            if payload != nil && payloadFile != nil {
                throw ValidationError("give --payload or --payload-file, not both")
            }
        }

        func run() async throws {
            try await SubmitCommand.submitJob(body: try requestBody(), idempotencyKey: idempotencyKey, wait: wait, gateway: gateway)
        }

        /// The JSON body; the payload goes in as written, after a check that it is an object.
        func requestBody() throws -> String {
            var payloadText = "{}"
            if let payload {
                payloadText = payload
            } else if let payloadFile {
                guard let data = FileManager.default.contents(atPath: payloadFile) else {
                    throw ValidationError("cannot read --payload-file \(payloadFile)")
                }
                payloadText = String(decoding: data, as: UTF8.self)
            }
            guard (try? JSONSerialization.jsonObject(with: Data(payloadText.utf8))) is [String: Any] else {
                throw ValidationError("the payload must be a JSON object")
            }
            var fields = ["\"kind\":" + Self.quoted(kind), "\"payload\":" + payloadText]
            if let priority { fields.append("\"priority\":\(priority)") }
            if let maxAttempts { fields.append("\"max_attempts\":\(maxAttempts)") }
            if let delayMs { fields.append("\"delay_ms\":\(delayMs)") }
            var timeouts: [String] = []
            if let waitTimeoutMs { timeouts.append("\"wait_ms\":\(waitTimeoutMs)") }
            if let runTimeoutMs { timeouts.append("\"run_ms\":\(runTimeoutMs)") }
            if let heartbeatMs { timeouts.append("\"heartbeat_ms\":\(heartbeatMs)") }
            if !timeouts.isEmpty { fields.append("\"timeouts\":{" + timeouts.joined(separator: ",") + "}") }
            return "{" + fields.joined(separator: ",") + "}"
        }

        static func quoted(_ text: String) -> String {
            let data = (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8)
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// `POST /v1/jobs` with `body`; with `wait`, follows the job with a progress bar and
    /// prints its result, exiting non-zero unless it succeeded.
    static func submitJob(body: String, idempotencyKey: String?, wait: Bool, gateway: GatewayClientOptions) async throws {
        var succeeded = true
        try await gateway.run { client in
            var headers: HTTPClientHeaders = [:]
            if let idempotencyKey { headers.add("Idempotency-Key", idempotencyKey) }
            let response = try await client.send("POST", "/v1/jobs", json: body, headers: headers)
            let accepted = try GatewayClient.decode(JobAcceptedView.self, response)
            guard wait else {
                if gateway.json {
                    Terminal.printJSON(response.body)
                } else {
                    let repeated = response.status == 200 ? " (existing job for this idempotency key)" : ""
                    print("\(accepted.id) \(accepted.status)\(repeated)")
                }
                return
            }
            if !gateway.json { Terminal.note("submitted \(accepted.id)") }
            let bar = ProgressBar(enabled: !gateway.json)
            _ = try await client.follow(jobID: accepted.id, bar: bar, lines: false)
            bar.finish()
            succeeded = try await client.printResult(jobID: accepted.id, json: gateway.json)
        }
        if !succeeded { throw ExitCode.failure }
    }
}
