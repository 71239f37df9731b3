import PostgresClient
public import VelocityTypes

extension CRMImportStore {
    /// Stores a chunk of proposals, finds their merge candidates among the tenant's people and
    /// accounts, applies the batch's low-risk rule, and moves the propose checkpoint from
    /// `fromRow` to `toRow` source rows, all in one transaction.
    ///
    /// Chunks can be stored concurrently, each on its own connection, and still land in order:
    /// the transaction first takes an advisory lock named after the batch and `fromRow`, then
    /// calls `holding`; the caller starts the next chunk's store once it is called, passing
    /// this `fromRow` as its `previousFromRow`. That chunk copies and matches at once, then
    /// waits for this lock before it moves the checkpoint, and finds it where this chunk left
    /// it (or, if this one rolled back, where it was, and fails with `.checkpointMoved`).
    ///
    /// Matching is set-based, one statement per chunk: exact phone or email through
    /// `crm_person_identities`, then a fuzzy name (trigram similarity) within two blocking keys,
    /// the phone's last 7 digits and the city with a name block (`CRMProposalAssembler.nameBlock`).
    public func appendProposals(
        _ proposals: CRMProposalRows, fromRow: Int, toRow: Int, previousFromRow: Int? = nil,
        holding: @escaping @Sendable () -> Void = {}
    ) async throws {
        let (batchID, firstSeq) = (proposals.batchID, proposals.firstSeq)
        let range = [batchID, String(firstSeq), String(proposals.nextSeq), proposals.tenant]
        let notProposing = PlatformStoreError(
            .checkpointMoved, "batch \(batchID) is no longer proposing at row \(fromRow)")
        try await postgres.withConnection { connection in
            try await connection.withTransaction { connection in
                try connection.query("SELECT pg_advisory_xact_lock(hashtext($1), $2::int)", [batchID, String(fromRow)])
                holding()
                let batch = try connection.query(
                    "SELECT auto_approve FROM crm_import_batches WHERE id = $1::uuid AND status = 'proposing'", [batchID])
                guard let rule = batch.first?["auto_approve"] else { throw notProposing }
                if proposals.count > 0 {
                    try connection.copyIn(
                        "COPY crm_import_proposals (\(CRMProposalRows.columns)) FROM STDIN", encoded: proposals.encoder)
                    try connection.query(Self.matchPeopleSQL, range)
                    try connection.query(Self.matchAccountsSQL, range)
                }
                // Rows other chunks write too (the batch's counts, the batch itself) are written
                // only after the chunk before has ended: taken earlier, the chunk before would wait
                // for this one while this one waits for it.
                if let previousFromRow {
                    try connection.query(
                        "SELECT pg_advisory_xact_lock_shared(hashtext($1), $2::int)", [batchID, String(previousFromRow)])
                }
                if proposals.count > 0 {
                    if rule == CRMAutoApproveRule.newWithoutCandidates.rawValue {
                        try connection.query(Self.autoApproveSQL, Array(range.prefix(3)) + [rule])
                    }
                    try connection.query(
                        """
                        INSERT INTO crm_import_proposal_counts AS c (batch_id, status, n)
                        VALUES ($1::uuid, 'pending', $2::bigint)
                        ON CONFLICT (batch_id, status) DO UPDATE SET n = c.n + EXCLUDED.n
                        """, [batchID, String(proposals.count)])
                }
                let moved = try connection.query(
                    """
                    UPDATE crm_import_batches SET propose_rows = $3::int, proposals = proposals + $4::int,
                        updated_at = now()
                    WHERE id = $1::uuid AND propose_rows = $2::int AND proposals = $5::int AND status = 'proposing'
                    """, [batchID, String(fromRow), String(toRow), String(proposals.count), String(firstSeq)])
                guard moved.affectedRows == 1 else { throw notProposing }
            }
        }
    }

    /// Candidates for the person proposals of seq `[$2, $3)` of batch `$1`, tenant `$4`.
    static let matchPeopleSQL = """
        WITH chunk AS (
            SELECT id, match_keys AS k FROM crm_import_proposals
            WHERE batch_id = $1::uuid AND seq >= $2::int AND seq < $3::int AND entity_type = 'person'
        ), keys AS (
            SELECT c.id, 'phone' AS kind, v.value FROM chunk c, jsonb_array_elements_text(c.k->'phones') v(value)
            UNION ALL
            SELECT c.id, 'email', v.value FROM chunk c, jsonb_array_elements_text(c.k->'emails') v(value)
        ), exact AS (
            SELECT k.id, i.person_id,
                CASE WHEN bool_or(k.kind = 'phone') AND bool_or(k.kind = 'email') THEN 0.99
                     WHEN bool_or(k.kind = 'phone') THEN 0.96 ELSE 0.93 END AS score,
                jsonb_agg(DISTINCT jsonb_build_object('rule', 'exact_' || k.kind, 'value', k.value)) AS evidence
            FROM keys k
            JOIN crm_person_identities i ON i.tenant_id = $4 AND i.kind = k.kind AND i.value = k.value
            GROUP BY k.id, i.person_id
        ), fuzzy AS (
            SELECT c.id, p.id AS person_id, 'phone_suffix' AS block,
                public.similarity(p.name_key, c.k->>'name_key') AS sim
            FROM chunk c
            JOIN crm_people p ON p.tenant_id = $4 AND right(p.primary_phone, 7) = c.k->>'phone_suffix'
            WHERE c.k->>'phone_suffix' IS NOT NULL AND c.k->>'name_key' <> ''
            UNION ALL
            SELECT c.id, p.id, 'city', public.similarity(p.name_key, c.k->>'name_key')
            FROM chunk c
            JOIN crm_people p ON p.tenant_id = $4 AND lower(p.city) = c.k->>'city'
                AND (left(p.name_key, 2) || '|' || left(regexp_replace(p.name_key, '^.* ', ''), 3)) = c.k->>'name_block'
            WHERE c.k->>'city' IS NOT NULL AND c.k->>'name_block' IS NOT NULL
        ), scored AS (
            SELECT id, person_id,
                round((CASE block WHEN 'phone_suffix' THEN 0.55 + 0.35 * max(sim) ELSE 0.40 + 0.40 * max(sim) END)::numeric, 3)
                    AS score,
                jsonb_agg(jsonb_build_object('rule', 'similar_name', 'block', block,
                    'similarity', round(sim::numeric, 3))) AS evidence
            FROM fuzzy
            WHERE sim >= CASE block WHEN 'phone_suffix' THEN 0.45 ELSE 0.6 END
            GROUP BY id, person_id, block
        ), candidates AS (
            SELECT id, person_id, max(score) AS score, jsonb_agg(e) AS evidence
            FROM (SELECT id, person_id, score, jsonb_array_elements(evidence) AS e FROM exact
                  UNION ALL
                  SELECT id, person_id, score, jsonb_array_elements(evidence) FROM scored) s
            GROUP BY id, person_id
        ), ranked AS (
            SELECT id, max(score) AS best,
                jsonb_agg(jsonb_build_object('id', person_id, 'entity', 'crm_people', 'confidence', score,
                    'evidence', evidence) ORDER BY score DESC, person_id) AS refs
            FROM candidates GROUP BY id
        )
        UPDATE crm_import_proposals p SET merge_candidates = r.refs, best_candidate = r.best
        FROM ranked r WHERE p.id = r.id
        """

    /// Candidates for the account proposals of the chunk: the tenant's accounts of the same name.
    static let matchAccountsSQL = """
        WITH chunk AS (
            SELECT id, match_keys->>'name_key' AS name_key FROM crm_import_proposals
            WHERE batch_id = $1::uuid AND seq >= $2::int AND seq < $3::int AND entity_type = 'account'
        ), ranked AS (
            SELECT c.id, jsonb_agg(jsonb_build_object('id', a.id, 'entity', 'crm_accounts', 'confidence', 0.95,
                'evidence', jsonb_build_array(jsonb_build_object('rule', 'exact_name', 'value', a.name)))
                ORDER BY a.created_at, a.id) AS refs
            FROM chunk c JOIN crm_accounts a ON a.tenant_id = $4 AND a.name_key = c.name_key
            GROUP BY c.id
        )
        UPDATE crm_import_proposals p SET merge_candidates = r.refs, best_candidate = 0.95
        FROM ranked r WHERE p.id = r.id
        """

    /// The low-risk rule `new_without_candidates` over the chunk: a new person (or account)
    /// with no candidate, no conflict, no issue and confidence ≥ 0.9 needs no review, nor do
    /// the clean leads and interests of such a person. Each approval is a recorded decision.
    /// Seq `[$2, $3)` of batch `$1`, rule `$4`.
    static let autoApproveSQL = """
        WITH eligible AS (
            SELECT p.id FROM crm_import_proposals p
            WHERE p.batch_id = $1::uuid AND p.seq >= $2::int AND p.seq < $3::int
                AND p.merge_candidates = '[]' AND p.conflicts = '[]' AND p.issues = '[]' AND p.confidence >= 0.9
                AND (p.entity_type IN ('person', 'account') OR EXISTS (
                    SELECT 1 FROM crm_import_proposals o
                    WHERE o.id = p.person_ref AND o.merge_candidates = '[]' AND o.conflicts = '[]' AND o.issues = '[]'
                        AND o.confidence >= 0.9))
        ), approved AS (
            UPDATE crm_import_proposals p
            SET review_required = false, status = 'approved', decision_id = gen_random_uuid()
            FROM eligible e WHERE p.id = e.id
            RETURNING p.id, p.decision_id, p.tenant_id
        )
        INSERT INTO crm_import_decisions (id, tenant_id, batch_id, proposal_id, reviewer, decision, notes, rule)
        SELECT decision_id, tenant_id, $1::uuid, id, 'rule:' || $4::text, 'approve', 'low-risk rule',
            jsonb_build_object('rule', $4::text)
        FROM approved
        """
}

/// The low-risk rules a batch may be uploaded with: proposals they cover are approved without
/// review (and the approval recorded as the rule's decision).
public enum CRMAutoApproveRule: String, Sendable, CaseIterable, Codable {
    /// Every proposal is reviewed.
    case none
    /// New people and accounts with no merge candidate, no conflict, no issue and confidence
    /// ≥ 0.9, with their clean leads and interests.
    case newWithoutCandidates = "new_without_candidates"
}
