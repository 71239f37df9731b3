import ArgumentParser
import CurlClient
import Foundation

extension SubmitCommand {
    /// The OpenAI Batch API flow: upload a JSONL file, create a batch, optionally wait and
    /// download the output and error files.
    struct LLMBatch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "llm-batch",
            abstract: "Run an OpenAI-style batch (POST /v1/files, POST /v1/batches); with --wait, save its output.")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Requests, one JSON object a line (custom_id, method, url, body).") var file: String
        @Option(help: "Endpoint every line targets.") var endpoint = "/v1/chat/completions"
        @Option(help: "Metadata key=value, repeatable.") var metadata: [String] = []
        @Flag(help: "Poll until the batch ends and download its files; exit 0 only if it completed.") var wait = false
        @Option(name: [.short, .customLong("output")], help: "Output file (default: <file>.results.jsonl).")
        var output: String?
        @Option(help: "Error file, when some requests failed (default: <file>.errors.jsonl).") var errors: String?

        func validate() throws {
            guard FileManager.default.isReadableFile(atPath: file) else { throw ValidationError("cannot read \(file)") }
            for pair in metadata where !pair.contains("=") {
                throw ValidationError("--metadata takes key=value, not \(pair)")
            }
        }

        var stem: String { URL(fileURLWithPath: file).deletingPathExtension().path }

        func run() async throws {
            var succeeded = true
            try await gateway.run { client in
                var form = MultipartForm()
                form.addField("purpose", "batch")
                form.addFile("file", path: file, contentType: "application/jsonl")
                let uploaded = try GatewayClient.decode(FileObject.self, try await client.upload("/v1/files", form: form))
                if !gateway.json { Terminal.note("uploaded \(uploaded.id) (\(uploaded.bytes ?? 0) bytes)") }

                let response = try await client.send("POST", "/v1/batches", json: try createBody(inputFileID: uploaded.id))
                var batch = try GatewayClient.decode(BatchObject.self, response)
                var batchBody = response.body
                guard wait else {
                    if gateway.json { Terminal.printJSON(batchBody) } else { print("\(batch.id) \(batch.status)") }
                    report(batch)
                    succeeded = batch.status != "failed"
                    return
                }
                if !gateway.json { Terminal.note("batch \(batch.id)") }
                let bar = ProgressBar(enabled: !gateway.json)
                var reason: String?
                while !batch.isTerminal {
                    show(batch, on: bar)
                    reason = WaitingReason.report(batch.waiting_reason, subject: "batch \(batch.id)", after: reason)
                    try await Task.sleep(for: .seconds(1))
                    let polled = try await client.get("/v1/batches/\(GatewayClient.escape(batch.id))")
                    batch = try GatewayClient.decode(BatchObject.self, polled)
                    batchBody = polled.body
                }
                show(batch, on: bar)
                bar.finish()
                if let outputID = batch.output_file_id {
                    let path = output ?? stem + ".results.jsonl"
                    try await client.download("/v1/files/\(GatewayClient.escape(outputID))/content", to: path)
                    if !gateway.json { print("output: \(path)") }
                }
                if let errorID = batch.error_file_id {
                    let path = errors ?? stem + ".errors.jsonl"
                    try await client.download("/v1/files/\(GatewayClient.escape(errorID))/content", to: path)
                    if !gateway.json { print("errors: \(path)") }
                }
                if gateway.json { Terminal.printJSON(batchBody) }
                report(batch)
                succeeded = batch.status == "completed"
            }
            if !succeeded { throw ExitCode.failure }
        }

        func createBody(inputFileID: String) throws -> String {
            var pairs: [String: String] = [:]
            for pair in metadata {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                pairs[String(parts[0])] = String(parts[1])
            }
            struct Create: Encodable {
                var input_file_id: String
                var endpoint: String
                var completion_window = "24h"
                var metadata: [String: String]?
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let create = Create(input_file_id: inputFileID, endpoint: endpoint, metadata: pairs.isEmpty ? nil : pairs)
            return String(decoding: try encoder.encode(create), as: UTF8.self)
        }

        func show(_ batch: BatchObject, on bar: ProgressBar) {
            let counts = batch.request_counts
            let done = (counts?.completed ?? 0) + (counts?.failed ?? 0)
            let total = counts?.total ?? 0
            let fraction: Double? = total > 0 ? Double(done) / Double(total) : nil
            var message = "\(done)/\(total)"
            if let failed = counts?.failed, failed > 0 { message += ", \(failed) failed" }
            bar.update(fraction: fraction, status: batch.status, message: message)
        }

        /// Validation errors of a failed batch, and a count summary, on stderr.
        func report(_ batch: BatchObject) {
            for error in batch.errors?.data ?? [] {
                var text = ""
                if let line = error.line { text += "line \(line): " }
                text += "\(error.code ?? "error"): \(error.message ?? "")"
                if let param = error.param { text += " (\(param))" }
                Terminal.error(text)
            }
            guard !gateway.json, let counts = batch.request_counts, batch.isTerminal else { return }
            Terminal.note(
                "batch \(batch.id) \(batch.status): \(counts.completed ?? 0) completed, \(counts.failed ?? 0) failed of \(counts.total ?? 0)")
        }
    }
}

/// OpenAI's file object.
struct FileObject: Decodable {
    var id: String
    var bytes: Int?
    var filename: String?
    var purpose: String?
}

/// The parts of OpenAI's batch object the command line uses.
struct BatchObject: Decodable {
    struct Counts: Decodable {
        var total: Int?
        var completed: Int?
        var failed: Int?
    }

    struct Errors: Decodable {
        struct Item: Decodable {
            var code: String?
            var message: String?
            var param: String?
            var line: Int?
        }
        var data: [Item]?
    }

    var id: String
    var status: String
    var request_counts: Counts?
    var output_file_id: String?
    var error_file_id: String?
    var errors: Errors?
    /// Why its lines wait, while no GPU box serves them.
    var waiting_reason: String?

    var isTerminal: Bool { ["completed", "failed", "expired", "cancelled"].contains(status) }
}
