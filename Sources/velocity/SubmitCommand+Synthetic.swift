import ArgumentParser
import CurlClient
import Foundation

extension SubmitCommand {
    /// An Oracle synthetic job: N examples of a component template, each valid against its schema.
    struct Synthetic: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "synthetic",
            abstract: "Generate examples of a component template (POST /api/oracle/component-templates/synthetic-jobs).")

        @OptionGroup var gateway: GatewayClientOptions
        @Option(help: "The component template id, e.g. kpi_tile.") var template: String
        @Option(help: "File holding the component's JSON Schema.") var schema: String
        @Option(name: .short, help: "How many examples (1-10000).") var count: Int
        @Option(help: "File of few-shot examples, one JSON object a line.") var examples: String?
        @Option(help: "Sampling temperature, 0-2 (default 0.9).") var temperature: Double?
        @Option(help: "Idempotency key: a repeat with the same key returns the first job.") var idempotencyKey: String?
        @Flag(help: "Poll until every line ended; with -o, save the examples.") var wait = false
        @Option(name: [.short, .customLong("output")], help: "With --wait: where to write the examples (JSONL).")
        var output: String?

        func validate() throws {
            guard (1...10_000).contains(count) else { throw ValidationError("-n must be from 1 to 10000") }
            if output != nil && !wait { throw ValidationError("-o needs --wait") }
        }

        func run() async throws {
            let body = try requestBody()
            var succeeded = true
            try await gateway.run { client in
                var headers: HTTPClientHeaders = [:]
                if let idempotencyKey { headers.add("Idempotency-Key", idempotencyKey) }
                let response = try await client.send(
                    "POST", "/api/oracle/component-templates/synthetic-jobs", json: body, headers: headers)
                var job = try GatewayClient.decode(SyntheticJobObject.self, response)
                var jobBody = response.body
                guard wait else {
                    if gateway.json { Terminal.printJSON(jobBody) } else { print("\(job.id) \(job.status)") }
                    return
                }
                if !gateway.json { Terminal.note("synthetic job \(job.id): \(job.count) examples of \(job.template_id)") }
                let bar = ProgressBar(enabled: !gateway.json)
                while !job.isTerminal {
                    show(job, on: bar)
                    try await Task.sleep(for: .seconds(1))
                    let polled = try await client.get("/api/admin-surface/synthetic-jobs/\(GatewayClient.escape(job.id))")
                    job = try GatewayClient.decode(SyntheticJobObject.self, polled)
                    jobBody = polled.body
                }
                show(job, on: bar)
                bar.finish()
                if let output {
                    try await client.download(
                        "/api/admin-surface/synthetic-jobs/\(GatewayClient.escape(job.id))/examples", to: output)
                    if !gateway.json { print("examples: \(output)") }
                }
                if gateway.json {
                    Terminal.printJSON(jobBody)
                } else {
                    Terminal.note(
                        "synthetic job \(job.id) \(job.status): \(job.counts.valid) valid (\(job.counts.retried) retried), "
                            + "\(job.counts.failed) failed, \(job.counts.canceled) canceled of \(job.count)")
                }
                succeeded = job.status == "completed" && job.counts.failed == 0 && job.counts.canceled == 0
            }
            if !succeeded { throw ExitCode.failure }
        }

        func requestBody() throws -> String {
            guard let schemaData = FileManager.default.contents(atPath: schema),
                let schemaObject = try? JSONSerialization.jsonObject(with: schemaData), schemaObject is [String: Any]
            else {
                throw ValidationError("--schema \(schema) must be a readable file holding a JSON object")
            }
            var body: [String: Any] = ["template_id": template, "schema": schemaObject, "count": count]
            if let temperature { body["temperature"] = temperature }
            if let examples {
                guard let text = try? String(contentsOfFile: examples, encoding: .utf8) else {
                    throw ValidationError("cannot read --examples \(examples)")
                }
                var objects: [Any] = []
                for (index, line) in text.split(whereSeparator: \.isNewline).enumerated()
                where !line.trimmingCharacters(in: .whitespaces).isEmpty {
                    guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)), object is [String: Any] else {
                        throw ValidationError("--examples line \(index + 1) is not a JSON object")
                    }
                    objects.append(object)
                }
                body["examples"] = objects
            }
            let data = try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])
            return String(decoding: data, as: UTF8.self)
        }

        func show(_ job: SyntheticJobObject, on bar: ProgressBar) {
            let ended = job.count - job.counts.pending
            var message = "\(ended)/\(job.count), \(job.counts.valid) valid"
            if job.counts.failed > 0 { message += ", \(job.counts.failed) failed" }
            bar.update(fraction: Double(ended) / Double(max(1, job.count)), status: job.status, message: message)
        }
    }
}

/// The parts of a synthetic job the command line uses.
struct SyntheticJobObject: Decodable {
    struct Counts: Decodable {
        var valid: Int
        var retried: Int
        var failed: Int
        var canceled: Int
        var pending: Int
    }

    var id: String
    var template_id: String
    var status: String
    var count: Int
    var counts: Counts

    var isTerminal: Bool { status == "completed" || status == "canceled" }
}
