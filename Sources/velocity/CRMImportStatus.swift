import Foundation

/// The part of a CRM import batch (`GET /api/crm/imports/{id}`) the command line shows.
struct CRMImportStatus: Decodable {
    struct Progress: Decodable {
        var rows_read: Int
        var row_count: Int
        var fraction: Double
        var proposed_rows: Int
    }

    struct Failure: Decodable {
        var code: String?
        var message: String?
    }

    var id: String
    var status: String
    var uploaded_filename: String
    var source_system: String
    var row_count: Int
    var rows_with_errors: Int
    var proposals: Int
    var committed: Int
    var progress: Progress
    var proposal_counts: [String: Int]?
    var error: Failure?
    var created_at: String

    /// A step is running: ingest, propose or commit.
    var isWorking: Bool { ["ingesting", "proposing", "committing"].contains(status) }

    /// One line for a person: `in_review · 1,200 rows (3 with errors) · 1,150 proposals (…)`.
    var summary: String {
        var text = "\(status) · \(row_count) rows"
        if rows_with_errors > 0 { text += " (\(rows_with_errors) with errors)" }
        if proposals > 0 {
            let counts = (proposal_counts ?? [:]).filter { $0.value > 0 }.sorted { $0.key < $1.key }
                .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            text += " · \(proposals) proposals" + (counts.isEmpty ? "" : " (\(counts))")
        }
        if committed > 0 { text += " · \(committed) committed" }
        if let error { text += " · \(error.code ?? "error"): \(error.message ?? "")" }
        return text
    }

    var stepMessage: String {
        switch status {
        case "ingesting": return "reading rows \(progress.rows_read)/\(row_count)"
        case "proposing": return "proposing \(progress.proposed_rows)/\(row_count)"
        case "committing": return "committing, \(committed) written"
        default: return status
        }
    }
}

extension GatewayClient {
    /// Polls a batch until no step runs, drawing `bar`; returns the last state and its body.
    func waitForImport(_ id: String, bar: ProgressBar) async throws -> (CRMImportStatus, [UInt8]) {
        while true {
            let response = try await get("/api/crm/imports/\(GatewayClient.escape(id))?limit=1")
            let status = try GatewayClient.decode(CRMImportStatus.self, response)
            bar.update(
                fraction: status.status == "committing" ? nil : status.progress.fraction, status: status.status,
                message: status.stepMessage)
            if !status.isWorking { return (status, response.body) }
            try await Task.sleep(for: .milliseconds(300))
        }
    }
}
