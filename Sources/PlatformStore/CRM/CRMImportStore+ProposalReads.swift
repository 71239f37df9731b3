import PostgresClient
import VelocityTypes

extension CRMImportStore {
    /// The batch's proposals that `filter` selects, in emission order after seq `afterSeq`.
    public func proposals(batchID: String, filter: CRMProposalFilter, afterSeq: Int, limit: Int) async throws
        -> [CRMProposal]
    {
        guard Self.isUUID(batchID) else { return [] }
        let (condition, parameters) = filter.condition(firstParameter: 4)
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.proposalColumns) FROM crm_import_proposals p
                WHERE p.batch_id = $1::uuid AND p.seq > $2::int AND \(condition)
                ORDER BY p.seq LIMIT $3::int
                """, [batchID, String(afterSeq), String(limit)] + parameters)
        }
        return try rows.map(Self.proposal)
    }

    /// The entity type of each of `proposalIDs` that is a proposal of the batch.
    public func entityTypes(batchID: String, proposalIDs: [String]) async throws -> [String: String] {
        let ids = proposalIDs.filter(Self.isUUID)
        guard Self.isUUID(batchID), !ids.isEmpty else { return [:] }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT id::text, entity_type FROM crm_import_proposals
                WHERE batch_id = $1::uuid AND id = ANY($2::uuid[])
                """, [batchID, PostgresArrayLiteral.text(ids)])
        }
        var types: [String: String] = [:]
        for row in rows {
            types[try row.text("id", table: "crm_import_proposals")] = try row.text("entity_type", table: "crm_import_proposals")
        }
        return types
    }

    /// How many proposals of the batch are in each status (every status present, 0 or more).
    public func proposalCounts(batchID: String) async throws -> [CRMProposal.Status: Int] {
        var counts = Dictionary(uniqueKeysWithValues: CRMProposal.Status.allCases.map { ($0, 0) })
        guard Self.isUUID(batchID) else { return counts }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                "SELECT status, n FROM crm_import_proposal_counts WHERE batch_id = $1::uuid", [batchID])
        }
        for row in rows {
            let text = try row.text("status", table: "crm_import_proposals")
            guard let status = CRMProposal.Status(rawValue: text) else {
                throw PostgresError(.malformedRow, "crm_import_proposals.status is '\(text)'")
            }
            counts[status] = try row.int("n", table: "crm_import_proposals")
        }
        return counts
    }

    static let proposalColumns = """
        p.id::text, p.batch_id::text, p.seq, p.entity_type, p.person_ref::text, p.account_ref::text,
        p.proposed_payload::text, coalesce(p.canonical_payload, p.proposed_payload)::text AS canonical_payload, array_to_json(p.source_rows)::text AS source_rows,
        p.confidence, p.issues::text, p.conflicts::text, p.merge_candidates::text, p.merge_target::text,
        p.review_required, p.status, p.decision_id::text, p.committed_entity_id::text,
        (extract(epoch FROM p.created_at) * 1000)::bigint AS created_ms
        """

    static func proposal(_ row: PostgresRow) throws -> CRMProposal {
        let t = "crm_import_proposals"
        let typeText = try row.text("entity_type", table: t)
        let statusText = try row.text("status", table: t)
        guard let entityType = CRMProposal.EntityType(rawValue: typeText),
            let status = CRMProposal.Status(rawValue: statusText)
        else {
            throw PostgresError(.malformedRow, "\(t) has entity_type '\(typeText)' and status '\(statusText)'")
        }
        guard case .array(let sourceRows) = try row.json("source_rows", table: t) else {
            throw PostgresError(.malformedRow, "\(t).source_rows is not an array")
        }
        return CRMProposal(
            id: try row.text("id", table: t), batchID: try row.text("batch_id", table: t),
            seq: try row.int("seq", table: t), entityType: entityType, personRef: row["person_ref"],
            accountRef: row["account_ref"], proposedPayload: try row.json("proposed_payload", table: t),
            canonicalPayload: try row.json("canonical_payload", table: t),
            sourceRows: sourceRows.compactMap { $0.intValue.map(Int.init) },
            confidence: try row.double("confidence", table: t), issues: try row.json("issues", table: t),
            conflicts: try row.json("conflicts", table: t), mergeCandidates: try row.json("merge_candidates", table: t),
            mergeTarget: row["merge_target"], reviewRequired: try row.bool("review_required", table: t),
            status: status, decisionID: row["decision_id"], committedEntityID: row["committed_entity_id"],
            createdMilliseconds: try row.int("created_ms", table: t))
    }
}
