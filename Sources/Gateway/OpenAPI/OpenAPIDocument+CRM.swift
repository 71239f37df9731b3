import PlatformStore

extension OpenAPIDocument {
    /// The CRM import routes: upload, batches, review, commit, error report.
    static let crmImports: [APIOperation] = [
        Op(
            "POST", "/api/crm/imports", "Upload a CRM CSV export (streamed); the same content again is the same batch",
            tag: "crm",
            body: .multipart([
                (name: "file", file: true, required: true), (name: "source_profile", file: false, required: false),
                (name: "default_region", file: false, required: false), (name: "auto_approve", file: false, required: false),
                (name: "webhook_url", file: false, required: false), (name: "webhook_events", file: false, required: false),
            ]),
            responses: [
                Op.status(202, "Accepted", "CRMImportBatch"), Op.ok("CRMImportBatch", "The batch of the same content"),
                Op.status(413, "Too large, or too many rows (too_many_rows)"),
                Op.status(415, "Not a CSV (not_csv)"),
                Op.status(422, "Empty, header only, duplicate headers, or a bad option; details.field names it"),
            ], takesIdempotencyKey: true),
        Op(
            "GET", "/api/crm/imports/{batch_id}/webhooks",
            "The import's webhook deliveries (crm_import.in_review …), each attempt with its status", tag: "webhooks",
            responses: [Op.ok("WebhookDeliveryList"), Op.status(404, "Unknown batch")]),
        Op(
            "GET", "/api/crm/imports", "The tenant's import batches with status and counts", tag: "crm",
            responses: [Op.ok("CRMImportBatchList"), Op.status(422, "Bad cursor or limit")],
            query: [
                QueryParameter.cursor(QueryParameter.uuidPattern), .limit(100, default: 20),
            ]),
        Op(
            "GET", "/api/crm/imports/{batch_id}", "A batch: manifest, counts by status, proposals paged and filtered",
            tag: "crm", responses: [Op.ok("CRMImportBatch"), Op.status(404, "Unknown batch, or another tenant's")],
            query: [
                QueryParameter(
                    "status", "proposal statuses, comma-separated", .listOf(CRMProposal.Status.allCases.map(\.rawValue))),
                QueryParameter(
                    "entity_type", "entity types, comma-separated",
                    .listOf(CRMProposal.EntityType.allCases.map(\.rawValue))),
                QueryParameter("min_confidence", "0-1", .number(0...1)),
                QueryParameter("max_confidence", "0-1", .number(0...1)),
                QueryParameter("min_candidate_confidence", "0-1", .number(0...1)),
                QueryParameter("max_candidate_confidence", "0-1", .number(0...1)),
                .flag("conflict", "only proposals with (true) or without (false) a conflict"),
                .flag("has_merge_candidate", "only proposals with (true) or without (false) a merge candidate"),
                .flag("review_required", "only proposals that need (true) or do not need (false) a review"),
                .cursor("^[0-9]{1,18}$", "next_cursor of the previous page (a proposal sequence number)"),
                .limit(500, default: 50),
            ]),
        Op(
            "PUT", "/api/crm/imports/{batch_id}/review-proposal",
            "Mapping edits, decisions per proposal, rule-based bulk decisions (reviewer role)", tag: "crm",
            body: .json("CRMReview"),
            responses: [
                Op.ok("CRMReviewOutcome"), Op.status(404, "Unknown batch"),
                Op.status(409, "The batch is not in review (batch_not_ready)"),
                Op.status(422, "A proposal of another batch, a bad rule, edit or merge target; nothing recorded"),
            ], role: .reviewer),
        Op(
            "POST", "/api/crm/imports/{batch_id}/commit", "Write the approved proposals (reviewer role)", tag: "crm",
            responses: [
                Op.status(202, "Accepted", "CRMImportBatch"),
                Op.status(404, "Unknown batch"), Op.status(409, "Not reviewed, nothing approved, or committing"),
            ], role: .reviewer),
        Op(
            "GET", "/api/crm/imports/{batch_id}/errors", "The rows with issues as CSV (formulas neutralized)",
            tag: "crm",
            responses: [
                Op.ok("binary", "CSV: row, line, issues, then the raw cells", media: "text/csv"),
                Op.status(404, "Unknown batch"),
            ]),
    ]

    static var crmSchemas: [String: Any] {
        [
            "CRMImportBatch": object([
                "object": string, "id": string, "status": string, "artifact": anyObject, "source_system": string,
                "uploaded_filename": string, "sha256": string, "row_count": integer, "rows_read": integer,
                "rows_with_errors": integer, "proposals": integer, "committed": integer, "encoding": string,
                "delimiter": string, "progress": anyObject, "proposal_counts": anyObject, "manifest": anyObject,
                "proposals_page": anyObject, "jobs": array(anyObject), "urls": anyObject, "error": anyObject,
            ]),
            "CRMImportBatchList": list("CRMImportBatch"),
            "CRMReview": object([
                "mapping_edits": array(anyObject), "source_profile": string, "decisions": array(anyObject),
                "bulk": array(anyObject),
            ]),
            "CRMReviewOutcome": object([
                "batch": ref("CRMImportBatch"), "decided": integer, "bulk_decided": array(integer),
                "decision_ids": anyObject,
            ]),
        ]
    }
}
