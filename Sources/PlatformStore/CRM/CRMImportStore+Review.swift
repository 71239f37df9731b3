import PostgresClient
public import VelocityTypes

extension CRMImportStore {
    /// Records a review: each decision, then each bulk decision in order, in one transaction.
    /// A decision on a proposal that is not in the batch or no longer open, or a merge into a
    /// record the tenant does not have, refuses the whole review and records nothing.
    ///
    /// Returns how many proposals each bulk decision covered.
    public func review(
        batchID: String, tenant: String, reviewer: String, decisions: [CRMReviewDecision], bulk: [CRMBulkDecision]
    ) async throws -> [Int] {
        let decisionsJSON = JSONValue.array(
            decisions.map { decision in
                .object([
                    "id": .string(decision.id), "proposal_id": .string(decision.proposalID),
                    "decision": .string(decision.kind.rawValue), "payload": decision.payload ?? .null,
                    "merge_target": decision.mergeTarget.map(JSONValue.string) ?? .null,
                    "notes": decision.notes.map(JSONValue.string) ?? .null,
                ])
            }
        ).jsonText
        return try await postgres.withConnection { connection in
            try await connection.withTransaction { connection in
                let batch = try connection.query(
                    "SELECT status FROM crm_import_batches WHERE id = $1::uuid AND tenant_id = $2 FOR UPDATE",
                    [batchID, tenant])
                guard let status = batch.first?["status"] else {
                    throw PlatformStoreError(.batchNotFound, "import batch \(batchID) not found")
                }
                guard status == "in_review" || status == "committed" else {
                    throw PlatformStoreError(
                        .batchNotReady, "batch \(batchID) is \(status); proposals can be reviewed once it is in_review")
                }
                if !decisions.isEmpty {
                    try Self.checkDecisions(decisionsJSON, batchID: batchID, tenant: tenant, connection: connection)
                    try Self.applyDecisions(decisionsJSON, batchID: batchID, reviewer: reviewer, connection: connection)
                }
                var covered: [Int] = []
                for decision in bulk {
                    covered.append(
                        try Self.applyBulk(decision, batchID: batchID, reviewer: reviewer, connection: connection))
                }
                if status == "committed" {
                    try connection.query(
                        "UPDATE crm_import_batches SET status = 'in_review', updated_at = now() WHERE id = $1::uuid",
                        [batchID])
                }
                return covered
            }
        }
    }

    private static func checkDecisions(
        _ decisions: String, batchID: String, tenant: String, connection: isolated PostgresConnection
    ) throws {
        let problems = try connection.query(
            """
            SELECT d.proposal_id::text, p.id IS NULL AS missing, p.status, p.entity_type,
                d.decision = 'merge' AND (p.entity_type NOT IN ('person', 'account')) AS unmergeable,
                d.decision = 'merge' AND p.entity_type = 'person' AND NOT EXISTS (
                    SELECT 1 FROM crm_people t WHERE t.id = d.merge_target AND t.tenant_id = $3) AS bad_person,
                d.decision = 'merge' AND p.entity_type = 'account' AND NOT EXISTS (
                    SELECT 1 FROM crm_accounts t WHERE t.id = d.merge_target AND t.tenant_id = $3) AS bad_account,
                d.merge_target::text
            FROM jsonb_to_recordset($2::jsonb) AS d(proposal_id uuid, decision text, merge_target uuid)
            LEFT JOIN crm_import_proposals p ON p.id = d.proposal_id AND p.batch_id = $1::uuid
            WHERE p.id IS NULL OR p.status NOT IN ('pending', 'approved', 'rejected')
                OR (d.decision = 'merge' AND (p.entity_type NOT IN ('person', 'account')
                    OR (p.entity_type = 'person' AND NOT EXISTS (
                        SELECT 1 FROM crm_people t WHERE t.id = d.merge_target AND t.tenant_id = $3))
                    OR (p.entity_type = 'account' AND NOT EXISTS (
                        SELECT 1 FROM crm_accounts t WHERE t.id = d.merge_target AND t.tenant_id = $3))))
            LIMIT 1
            """, [batchID, decisions, tenant])
        guard let problem = problems.first else { return }
        let proposal = problem["proposal_id"] ?? "?"
        if problem["missing"] == "t" {
            throw PlatformStoreError(.proposalNotInBatch, "proposal \(proposal) is not a proposal of batch \(batchID)")
        }
        if problem["unmergeable"] == "t" {
            throw PlatformStoreError(
                .proposalNotOpen, "proposal \(proposal) is a \(problem["entity_type"] ?? "?"); only people and accounts merge")
        }
        if problem["bad_person"] == "t" || problem["bad_account"] == "t" {
            let table = problem["bad_person"] == "t" ? "crm_people" : "crm_accounts"
            throw PlatformStoreError(
                .unknownMergeTarget, "merge_target \(problem["merge_target"] ?? "?") of proposal \(proposal) is not in \(table)")
        }
        throw PlatformStoreError(
            .proposalNotOpen, "proposal \(proposal) is \(problem["status"] ?? "?") and takes no more decisions")
    }

    private static func applyDecisions(
        _ decisions: String, batchID: String, reviewer: String, connection: isolated PostgresConnection
    ) throws {
        try connection.query(
            """
            WITH d AS (
                SELECT * FROM jsonb_to_recordset($2::jsonb)
                    AS d(id uuid, proposal_id uuid, decision text, payload jsonb, merge_target uuid, notes text)
            ), updated AS (
                UPDATE crm_import_proposals p SET
                    status = CASE d.decision WHEN 'reject' THEN 'rejected' ELSE 'approved' END,
                    canonical_payload = CASE d.decision WHEN 'edit' THEN d.payload ELSE p.canonical_payload END,
                    merge_target = CASE d.decision WHEN 'merge' THEN d.merge_target WHEN 'edit' THEN p.merge_target
                        ELSE NULL END,
                    decision_id = d.id
                FROM d WHERE p.id = d.proposal_id AND p.batch_id = $1::uuid
                RETURNING p.id, p.tenant_id
            )
            INSERT INTO crm_import_decisions (id, tenant_id, batch_id, proposal_id, reviewer, decision, notes, payload)
            SELECT d.id, u.tenant_id, $1::uuid, d.proposal_id, $3, d.decision, d.notes,
                CASE d.decision WHEN 'edit' THEN d.payload
                    WHEN 'merge' THEN jsonb_build_object('merge_target', d.merge_target) END
            FROM d JOIN updated u ON u.id = d.proposal_id
            """, [batchID, decisions, reviewer])
    }

    private static func applyBulk(
        _ bulk: CRMBulkDecision, batchID: String, reviewer: String, connection: isolated PostgresConnection
    ) throws -> Int {
        var filter = bulk.filter
        if filter.statuses == nil { filter.statuses = [.pending] }
        filter.statuses = filter.statuses?.filter { [.pending, .approved, .rejected].contains($0) }
        if bulk.kind == .merge {
            filter.hasMergeCandidate = true
            filter.entityTypes = (filter.entityTypes ?? [.person, .account]).filter { $0 == .person || $0 == .account }
        }
        let (condition, parameters) = filter.condition(firstParameter: 6)
        let result = try connection.query(
            """
            WITH updated AS (
                UPDATE crm_import_proposals p SET
                    status = CASE $2 WHEN 'reject' THEN 'rejected' ELSE 'approved' END,
                    merge_target = CASE $2 WHEN 'merge' THEN (p.merge_candidates->0->>'id')::uuid END,
                    decision_id = gen_random_uuid()
                WHERE p.batch_id = $1::uuid AND \(condition)
                RETURNING p.id, p.tenant_id, p.decision_id, p.merge_target
            )
            INSERT INTO crm_import_decisions (id, tenant_id, batch_id, proposal_id, reviewer, decision, notes, payload, rule)
            SELECT decision_id, tenant_id, $1::uuid, id, $3, $2, $4,
                CASE WHEN merge_target IS NOT NULL THEN jsonb_build_object('merge_target', merge_target) END, $5::jsonb
            FROM updated
            """,
            [batchID, bulk.kind.rawValue, reviewer, bulk.notes, bulk.rule.jsonText] + parameters)
        return result.affectedRows
    }
}
