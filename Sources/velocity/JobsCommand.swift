import ArgumentParser
import CurlClient
import Foundation

/// Jobs on a running gateway, over HTTP: read, cancel, watch, list, fetch results.
struct JobsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs", abstract: "Inspect and control jobs through the gateway.",
        subcommands: [Get.self, Cancel.self, Watch.self, List.self, Result.self])

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a job's status (GET /v1/jobs/{id}).")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Job id.") var id: String

        func run() async throws {
            try await gateway.run { client in
                let response = try await client.get("/v1/jobs/\(GatewayClient.escape(id))")
                print(gateway.json ? String(decoding: response.body, as: UTF8.self) : Terminal.pretty(response.body))
            }
        }
    }

    struct Cancel: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Cancel a job (idempotent).")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Job id.") var id: String

        func run() async throws {
            try await gateway.run { client in
                let response = try await client.send("POST", "/v1/jobs/\(GatewayClient.escape(id))/cancel", json: nil)
                if gateway.json {
                    Terminal.printJSON(response.body)
                } else {
                    let view = try GatewayClient.decode(JobCancelView.self, response)
                    print("\(view.id) \(view.outcome) (status \(view.status))")
                }
            }
        }
    }

    struct Watch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a job's state changes until it ends; exits 0 only if it succeeded.")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Job id.") var id: String

        func run() async throws {
            var succeeded = false
            try await gateway.run { client in
                let bar = ProgressBar(enabled: !gateway.json)
                let final = try await client.follow(jobID: id, bar: bar, lines: !bar.isEnabled && !gateway.json)
                bar.finish()
                if gateway.json {
                    Terminal.printJSON(try await client.get("/v1/jobs/\(GatewayClient.escape(id))").body)
                } else if let error = final.error {
                    Terminal.error("\(error.code): \(error.message ?? "")")
                }
                succeeded = final.status == "succeeded"
            }
            if !succeeded { throw ExitCode.failure }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List this tenant's jobs, newest first, a page at a time.")

        @OptionGroup var gateway: GatewayClientOptions
        @Option(help: "Only jobs in this state.") var state: String?
        @Option(help: "Only jobs of this kind.") var kind: String?
        @Option(help: "Page size.") var limit: Int?
        @Option(help: "The next_cursor of the previous page.") var cursor: String?

        func run() async throws {
            var query: [String] = []
            if let state { query.append("state=" + GatewayClient.escape(state)) }
            if let kind { query.append("kind=" + GatewayClient.escape(kind)) }
            if let limit { query.append("limit=\(limit)") }
            if let cursor { query.append("cursor=" + GatewayClient.escape(cursor)) }
            let path = "/v1/jobs" + (query.isEmpty ? "" : "?" + query.joined(separator: "&"))
            try await gateway.run { client in
                let response = try await client.get(path)
                if gateway.json {
                    Terminal.printJSON(response.body)
                    return
                }
                let page = try GatewayClient.decode(JobPageView.self, response)
                print(Self.table(page.data))
                if page.has_more == true, let next = page.next_cursor { print("more: --cursor \(next)") }
            }
        }

        static func table(_ jobs: [JobStatusView]) -> String {
            let rows = [["ID", "KIND", "STATUS", "CREATED"]]
                + jobs.map { [$0.identifier, $0.kind ?? "", $0.status, $0.created_at ?? ""] }
            let widths = (0..<4).map { column in rows.map { $0[column].count }.max() ?? 0 }
            return rows.map { row in
                row.enumerated().map { column, cell in
                    column == 3 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                }.joined(separator: "  ")
            }.joined(separator: "\n")
        }
    }

    struct Result: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a finished job's result; exits 0 only if it succeeded.")

        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Job id.") var id: String

        func run() async throws {
            var succeeded = false
            try await gateway.run { client in
                succeeded = try await client.printResult(jobID: id, json: gateway.json)
            }
            if !succeeded { throw ExitCode.failure }
        }
    }
}
