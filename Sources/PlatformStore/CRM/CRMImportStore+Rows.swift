import PostgresClient
public import VelocityTypes

extension CRMImportStore {
    /// Stores a chunk of rows and moves the ingest checkpoint past them, in one transaction:
    /// after a crash the step resumes at the checkpoint and no row is stored twice.
    ///
    /// `from` is the checkpoint the chunk starts at; if the batch is elsewhere (another attempt
    /// of the step got there first) nothing is stored and `.checkpointMoved` is thrown.
    public func appendRows(
        batchID: String, tenant: String, rows: [CRMImportRow], from offset: Int64, to endOffset: Int64, nextLine: Int
    ) async throws {
        let withIssues = rows.filter { $0.issues != nil }.count
        let copyRows: [[String?]] = rows.map { row in
            [batchID, String(row.number), tenant, String(row.line), PostgresArrayLiteral.text(row.cells),
             row.issues?.jsonText]
        }
        try await postgres.withConnection { connection in
            try await connection.withTransaction { connection in
                let moved = try connection.query(
                    """
                    UPDATE crm_import_batches SET ingest_offset = $3::bigint, rows_read = rows_read + $4::int,
                        rows_with_errors = rows_with_errors + $5::int, ingest_line = $6::int, updated_at = now()
                    WHERE id = $1::uuid AND ingest_offset = $2::bigint AND status = 'ingesting'
                    """,
                    [batchID, String(offset), String(endOffset), String(rows.count), String(withIssues),
                     String(nextLine)])
                guard moved.affectedRows == 1 else {
                    throw PlatformStoreError(
                        .checkpointMoved, "batch \(batchID) is no longer ingesting at byte \(offset)")
                }
                if !copyRows.isEmpty {
                    try connection.copyIn(
                        "COPY crm_import_rows (batch_id, row_number, tenant_id, line, cells, issues) FROM STDIN",
                        rows: copyRows)
                }
            }
        }
    }

    /// Records the issues normalization found in rows (a phone that is no number, a budget in
    /// no known notation), replacing those of an earlier mapping; the parse issues stay.
    public func setNormalizationIssues(batchID: String, issues: [(row: Int, issues: JSONValue)]) async throws {
        guard !issues.isEmpty else { return }
        try await postgres.withConnection { connection in
            try await connection.query(
                """
                UPDATE crm_import_rows r SET normalize_issues = u.issues
                FROM (SELECT (x->>'row')::int AS row_number, x->'issues' AS issues
                      FROM jsonb_array_elements($2::jsonb) x) u
                WHERE r.batch_id = $1::uuid AND r.row_number = u.row_number
                """,
                [batchID,
                 JSONValue.array(issues.map { .object(["row": .int(Int64($0.row)), "issues": $0.issues]) }).jsonText])
        }
    }

    /// Rows with issues, in row order after `afterRow`: the batch's error report.
    public func rowsWithIssues(batchID: String, afterRow: Int, limit: Int) async throws -> [CRMImportRow] {
        try await rows(batchID: batchID, afterRow: afterRow, limit: limit, onlyWithIssues: true)
    }

    /// Stored rows in row order after `afterRow`.
    public func rows(batchID: String, afterRow: Int, limit: Int, onlyWithIssues: Bool = false) async throws
        -> [CRMImportRow]
    {
        guard Self.isUUID(batchID) else { return [] }
        let result = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT row_number, line, array_to_json(cells)::text AS cells,
                    nullif(coalesce(issues, '[]') || coalesce(normalize_issues, '[]'), '[]')::text AS issues
                FROM crm_import_rows
                WHERE batch_id = $1::uuid AND row_number > $2::int
                    AND ($4::boolean = false OR issues IS NOT NULL OR normalize_issues IS NOT NULL)
                ORDER BY row_number LIMIT $3::int
                """, [batchID, String(afterRow), String(limit), onlyWithIssues ? "true" : "false"])
        }
        return try result.map { row in
            let t = "crm_import_rows"
            guard case .array(let cells) = try row.json("cells", table: t) else {
                throw PostgresError(.malformedRow, "\(t).cells is not an array")
            }
            return CRMImportRow(
                number: try row.int("row_number", table: t), line: try row.int("line", table: t),
                cells: cells.map { $0.stringValue ?? "" }, issues: try row.optionalJSON("issues", table: t))
        }
    }
}
