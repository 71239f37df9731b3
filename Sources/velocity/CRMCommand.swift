import ArgumentParser
import CurlClient
import Foundation
import VelocityTypes

/// `velocity crm imports …`: the CRM import batches of the caller's tenant, reviewed and
/// committed from the command line.
struct CRMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crm", abstract: "CRM imports: list, show, map, approve, commit.",
        subcommands: [Imports.self])

    struct Imports: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "imports", abstract: "The tenant's CRM import batches.",
            subcommands: [List.self, Show.self, Map.self, Approve.self, Commit.self])
    }
}

extension CRMCommand.Imports {
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List import batches, newest first.")
        @OptionGroup var gateway: GatewayClientOptions
        @Option(help: "How many (1-100).") var limit = 20

        func run() async throws {
            try await gateway.run { client in
                let response = try await client.get("/api/crm/imports?limit=\(limit)")
                if gateway.json { return Terminal.printJSON(response.body) }
                struct Page: Decodable { var data: [CRMImportStatus] }
                let page = try GatewayClient.decode(Page.self, response)
                if page.data.isEmpty { print("no import batches") }
                for batch in page.data {
                    print("\(batch.id)  \(batch.created_at)  \(batch.uploaded_filename)  \(batch.summary)")
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a batch: its mapping, counts and a page of proposals.")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Batch id.") var batch: String
        @Option(help: "Proposals in these statuses (comma-separated: pending, approved, rejected, committed, skipped).")
        var status: String?
        @Option(help: "Proposals of this entity type (person, account, lead, property_interest).") var entityType: String?
        @Option(help: "Proposals shown (1-500).") var limit = 20

        func run() async throws {
            try await gateway.run { client in
                var query = "limit=\(limit)"
                if let status { query += "&status=\(GatewayClient.escape(status))" }
                if let entityType { query += "&entity_type=\(GatewayClient.escape(entityType))" }
                let response = try await client.get("/api/crm/imports/\(GatewayClient.escape(batch))?\(query)")
                if gateway.json { return Terminal.printJSON(response.body) }
                let status = try GatewayClient.decode(CRMImportStatus.self, response)
                print("\(status.id) \(status.uploaded_filename) (\(status.source_system))")
                print("  \(status.summary)")
                guard let body = JSONValue(parsing: String(decoding: response.body, as: UTF8.self)) else { return }
                if let columns = body["manifest"]?["column_mappings"]?.arrayValue {
                    print("  mapping:")
                    for column in columns {
                        let header = column["header"]?.stringValue ?? "?"
                        let disposition = column["disposition"]?.stringValue ?? "?"
                        let field = column["field"]?.stringValue.map { " → \($0)" } ?? ""
                        let confidence = column["confidence"]?.doubleValue.map { String(format: " (%.2f)", $0) } ?? ""
                        print("    \(header)\(field) \(disposition)\(confidence)")
                    }
                }
                for proposal in body["proposals_page"]?["data"]?.arrayValue ?? [] {
                    let payload = proposal["canonical_payload"] ?? .null
                    let name = payload["full_name"]?.stringValue ?? payload["name"]?.stringValue
                        ?? payload["project"]?.stringValue ?? payload["source"]?.stringValue ?? ""
                    let candidates = proposal["merge_candidate_refs"]?.arrayValue?.count ?? 0
                    print(
                        "  \(proposal["id"]?.stringValue ?? "?")  \(proposal["entity_type"]?.stringValue ?? "?")  "
                            + "\(proposal["status"]?.stringValue ?? "?")  "
                            + String(format: "%.2f", proposal["confidence"]?.doubleValue ?? 0)
                            + "  \(name)" + (candidates > 0 ? "  [\(candidates) merge candidate(s)]" : ""))
                }
            }
        }
    }

    struct Map: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Map columns of a batch: --column 'Header=field' (field 'ignore' to ignore a column).")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Batch id.") var batch: String
        @Option(name: .customLong("column"), help: "HEADER=FIELD, e.g. 'Contact No=phone'; repeatable.")
        var columns: [String] = []
        @Option(help: "Map afresh with this source profile first.") var profile: String?

        func run() async throws {
            var edits: [JSONValue] = []
            for column in columns {
                guard let equals = column.lastIndex(of: "=") else {
                    throw ValidationError("--column must be HEADER=FIELD, not '\(column)'")
                }
                let field = String(column[column.index(after: equals)...])
                edits.append(.object([
                    "column": .string(String(column[..<equals])), "field": field == "ignore" ? .null : .string(field),
                ]))
            }
            var body: [String: JSONValue] = ["mapping_edits": .array(edits)]
            if let profile { body["source_profile"] = .string(profile) }
            try await CRMCommand.Imports.review(gateway, batch: batch, body: .object(body))
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve proposals: named ones (--proposal), or every pending one a rule selects.")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Batch id.") var batch: String
        @Option(name: .customLong("proposal"), help: "A proposal id to approve; repeatable.") var proposals: [String] = []
        @Option(help: "Only proposals with at least this confidence (0-1).") var minConfidence: Double?
        @Flag(help: "Only proposals without a merge candidate.") var withoutCandidates = false
        @Option(help: "Also merge every pending person whose best candidate has at least this confidence.")
        var mergeAbove: Double?
        @Option(help: "Only this entity type (person, account, lead, property_interest).") var entityType: String?

        func run() async throws {
            var body: [String: JSONValue] = [:]
            if !proposals.isEmpty {
                body["decisions"] = .array(
                    proposals.map { .object(["proposal_id": .string($0), "decision": .string("approve")]) })
            } else {
                var filter: [String: JSONValue] = [:]
                if let minConfidence { filter["min_confidence"] = .double(minConfidence) }
                if withoutCandidates { filter["has_merge_candidate"] = .bool(false) }
                if let entityType { filter["entity_type"] = .string(entityType) }
                var bulk: [JSONValue] = [.object(["decision": .string("approve"), "where": .object(filter)])]
                if let mergeAbove {
                    bulk.append(.object([
                        "decision": .string("merge"), "where": .object(["min_candidate_confidence": .double(mergeAbove)]),
                    ]))
                }
                body["bulk"] = .array(bulk)
            }
            try await CRMCommand.Imports.review(gateway, batch: batch, body: .object(body))
        }
    }

    struct Commit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Commit a batch's approved proposals.")
        @OptionGroup var gateway: GatewayClientOptions
        @Argument(help: "Batch id.") var batch: String
        @Flag(help: "Follow the commit until it ends.") var wait = false

        func run() async throws {
            try await gateway.run { client in
                let response = try await client.send(
                    "POST", "/api/crm/imports/\(GatewayClient.escape(batch))/commit", json: "{}")
                guard wait else {
                    if gateway.json { return Terminal.printJSON(response.body) }
                    let status = try GatewayClient.decode(CRMImportStatus.self, response)
                    return print("\(status.id) \(status.summary)")
                }
                let bar = ProgressBar(enabled: !gateway.json)
                let (final, body) = try await client.waitForImport(batch, bar: bar)
                bar.finish()
                if gateway.json { Terminal.printJSON(body) } else { print("\(final.id) \(final.summary)") }
            }
        }
    }

    /// `PUT …/review-proposal` with `body`, printing the outcome.
    static func review(_ gateway: GatewayClientOptions, batch: String, body: JSONValue) async throws {
        try await gateway.run { client in
            let response = try await client.send(
                "PUT", "/api/crm/imports/\(GatewayClient.escape(batch))/review-proposal", json: body.jsonText)
            if gateway.json { return Terminal.printJSON(response.body) }
            struct Outcome: Decodable {
                var batch: CRMImportStatus
                var decided: Int
                var bulk_decided: [Int]
            }
            let outcome = try GatewayClient.decode(Outcome.self, response)
            let bulk = outcome.bulk_decided.reduce(0, +)
            print("\(outcome.batch.id) \(outcome.batch.summary)")
            if outcome.decided + bulk > 0 { print("  decided \(outcome.decided + bulk) proposal(s)") }
        }
    }
}
