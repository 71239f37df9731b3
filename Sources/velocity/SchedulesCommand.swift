import ArgumentParser
import Foundation
import VelocityTypes

/// Recurring jobs on a running gateway (`/v1/schedules`).
struct SchedulesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedules", abstract: "Make and manage recurring jobs (cron in a time zone).",
        discussion: """
            Cron takes 5 fields (minute hour day month weekday) or 6 (seconds first), names (MON, JAN), \
            ranges, steps and lists, or a macro (@hourly, @daily, @weekly, @monthly, @yearly). A fixed-time \
            schedule runs once per local day across daylight-saving changes; one whose hour is * follows \
            real time.
            """,
        subcommands: [Create.self, List.self, Get.self, Edit.self, Pause.self, Resume.self, Delete.self, Runs.self])

    /// The fields `create` and `edit` share.
    struct Fields: ParsableArguments {
        @Option(help: "Unique name within the tenant.") var name: String?
        @Option(help: "Cron expression, e.g. \"30 2 * * *\" or \"*/10 * * * * *\".") var cron: String?
        @Option(name: .customLong("tz"), help: "IANA time zone (default UTC), e.g. Europe/London.") var timeZone: String?
        @Option(help: "The job's kind (with --payload), e.g. cpu.task.") var kind: String?
        @Option(help: "The job's payload as JSON.") var payload: String?
        @Option(help: "The whole job as POST /v1/jobs takes it (instead of --kind/--payload).") var job: String?
        @Option(help: "When the previous job is still open: skip (default) or allow.") var overlap: String?
        @Option(help: "Ticks missed while nothing ran: skip (default) or run_once.") var missed: String?

        /// The request body; `paused` is set by the caller.
        func body(paused: Bool? = nil) throws -> String {
            var object: [String: JSONValue] = [:]
            if let name { object["name"] = .string(name) }
            if let cron { object["cron"] = .string(cron) }
            if let timeZone { object["time_zone"] = .string(timeZone) }
            if let overlap { object["overlap"] = .string(overlap) }
            if let missed { object["missed"] = .string(missed) }
            if let paused { object["paused"] = .bool(paused) }
            if let job {
                guard kind == nil && payload == nil else {
                    throw ValidationError("give --job, or --kind with --payload, not both")
                }
                guard let parsed = JSONValue(parsing: job) else { throw ValidationError("--job is not JSON") }
                object["job"] = parsed
            } else if let kind {
                var template: [String: JSONValue] = ["kind": .string(kind)]
                if let payload {
                    guard let parsed = JSONValue(parsing: payload) else { throw ValidationError("--payload is not JSON") }
                    template["payload"] = parsed
                }
                object["job"] = .object(template)
            } else if payload != nil {
                throw ValidationError("--payload needs --kind")
            }
            return JSONValue.object(object).jsonText
        }
    }

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a schedule (POST /v1/schedules).")
        @OptionGroup var gateway: GatewayClientOptions
        @OptionGroup var fields: Fields
        @Flag(help: "Make it paused.") var paused = false

        func run() async throws {
            guard fields.cron != nil else { throw ValidationError("--cron is required") }
            guard fields.kind != nil || fields.job != nil else { throw ValidationError("--kind or --job is required") }
            let body = try fields.body(paused: paused ? true : nil)
            try await gateway.run { client in
                SchedulesCommand.show(try await client.send("POST", "/v1/schedules", json: body).body, json: gateway.json)
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List this tenant's schedules.")
        @OptionGroup var gateway: GatewayClientOptions
        @Option(help: "The next_cursor of the previous page.") var cursor: String?

        func run() async throws {
            try await gateway.run { client in
                let path = "/v1/schedules?limit=200" + (cursor.map { "&cursor=" + GatewayClient.escape($0) } ?? "")
                let response = try await client.get(path)
                guard !gateway.json else { return Terminal.printJSON(response.body) }
                let page = JSONValue(parsing: String(decoding: response.body, as: UTF8.self))
                print(
                    "id                                    name              cron              time zone         next run (local)"
                )
                for schedule in page?["data"]?.arrayValue ?? [] {
                    func field(_ key: String, _ width: Int) -> String {
                        (schedule[key]?.stringValue ?? "-").padding(toLength: width, withPad: " ", startingAt: 0)
                    }
                    let next =
                        schedule["paused"]?.boolValue == true ? "paused" : schedule["next_run_local"]?.stringValue ?? "never"
                    print("\(field("id", 36))  \(field("name", 16))  \(field("cron", 16))  \(field("time_zone", 16))  \(next)")
                }
                if let next = page?["next_cursor"]?.stringValue { print("more: --cursor \(next)") }
            }
        }
    }

    struct Get: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a schedule.")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Schedule id.") var id: String

        func run() async throws {
            try await gateway.run { client in
                SchedulesCommand.show(try await client.get("/v1/schedules/\(GatewayClient.escape(id))").body, json: gateway.json)
            }
        }
    }

    struct Edit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change a schedule's fields (the others keep theirs).")
        @OptionGroup var gateway: GatewayClientOptions
        @OptionGroup var fields: Fields
        @Argument(help: "Schedule id.") var id: String

        func run() async throws {
            try await SchedulesCommand.patch(id, body: try fields.body(), gateway: gateway)
        }
    }

    struct Pause: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Pause a schedule: its ticks make nothing until resumed.")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Schedule id.") var id: String

        func run() async throws { try await SchedulesCommand.patch(id, body: #"{"paused":true}"#, gateway: gateway) }
    }

    struct Resume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resume a schedule from its next tick after now.")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Schedule id.") var id: String

        func run() async throws { try await SchedulesCommand.patch(id, body: #"{"paused":false}"#, gateway: gateway) }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a schedule and its run history (its jobs stay).")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Schedule id.") var id: String

        func run() async throws {
            try await gateway.run { client in
                _ = try await client.send("DELETE", "/v1/schedules/\(GatewayClient.escape(id))", json: nil)
                if !gateway.json { print("deleted \(id)") }
            }
        }
    }

    struct Runs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A schedule's decided ticks, latest first, with their jobs.")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Schedule id.") var id: String
        @Option(help: "Page size (1-500).") var limit = 20

        func run() async throws {
            try await gateway.run { client in
                let response = try await client.get("/v1/schedules/\(GatewayClient.escape(id))/runs?limit=\(limit)")
                guard !gateway.json else { return Terminal.printJSON(response.body) }
                let page = JSONValue(parsing: String(decoding: response.body, as: UTF8.self))
                for run in page?["data"]?.arrayValue ?? [] {
                    var line = "\(run["tick_at"]?.stringValue ?? "?")  \(run["decision"]?.stringValue ?? "?")"
                    if let job = run["job_id"]?.stringValue { line += "  job \(job)" }
                    if let missed = run["missed"]?.intValue, missed > 0 { line += "  (\(missed) earlier ticks missed)" }
                    if let error = run["error"]?.stringValue { line += "  refused: \(error)" }
                    print(line)
                }
            }
        }
    }

    static func patch(_ id: String, body: String, gateway: GatewayClientOptions) async throws {
        try await gateway.run { client in
            show(try await client.send("PATCH", "/v1/schedules/\(GatewayClient.escape(id))", json: body).body, json: gateway.json)
        }
    }

    static func show(_ body: [UInt8], json: Bool) {
        if json { Terminal.printJSON(body) } else { print(Terminal.pretty(body)) }
    }
}
