import PostgresClient
import VelocityTypes

extension CRMImportStore {
    /// Commits up to `limit` approved proposals of one entity type in one transaction: their
    /// records created (or merged into the chosen target), a `ClientGraphDelta` each, and the
    /// proposals marked committed, so a crash between chunks loses nothing and a repeat writes
    /// nothing twice. Returns how many it committed; 0 when that type is done.
    ///
    /// Accounts go first, then people, then leads and interests (which need their person's
    /// record); `skipOrphans` runs before a type's first chunk. Only proposals after seq
    /// `afterSeq` are read, so a lead whose person still awaits review is passed over once per
    /// commit, not once per chunk; the chunk's `cursor` is where the next one starts.
    public func commitChunk(
        batchID: String, entityType: CRMProposal.EntityType, afterSeq: Int, limit: Int
    ) async throws -> CRMCommitChunk {
        try await postgres.withConnection { connection in
            try await connection.withTransaction { connection in
                // One chunk of a batch at a time, across workers (a commit job whose lease expired
                // can still be running): the statuses read below are then the last committed ones.
                // A lock on the batch rather than on each row read (`FOR UPDATE` wrote every one).
                try connection.query("SELECT pg_advisory_xact_lock(hashtext('commit:' || $1))", [batchID])
                // The first `limit` committable proposals; one whose merge target an earlier one in
                // the chunk also has waits for the next chunk: one statement updates a record once.
                // Leads and interests need their person committed. A scalar lookup by primary key
                // per row, in seq order: planned as a join or an EXISTS, statistics taken before
                // the commit flipped the statuses made it scan every committed proposal instead.
                let needsPerson = entityType == .lead || entityType == .propertyInterest
                let chunk = try connection.query(
                    """
                    SELECT id::text, seq, merge_target IS NULL
                        OR row_number() OVER (PARTITION BY merge_target ORDER BY seq) = 1 AS first
                    FROM (SELECT p.id, p.seq, p.merge_target FROM crm_import_proposals p
                          WHERE p.batch_id = $1::uuid AND p.entity_type = $2 AND p.status = 'approved'
                            AND p.seq > $4::int
                            \(needsPerson ? "AND (SELECT o.status FROM crm_import_proposals o WHERE o.id = p.person_ref) = 'committed'" : "")
                          ORDER BY p.seq LIMIT $3::int) chunk
                    """, [batchID, entityType.rawValue, String(limit), String(afterSeq)])
                var ids: [String] = []
                var cursor = afterSeq
                var firstDeferred: Int?
                for row in chunk {
                    let seq = try row.int("seq", table: "crm_import_proposals")
                    if try row.bool("first", table: "crm_import_proposals") {
                        ids.append(try row.text("id", table: "crm_import_proposals"))
                        cursor = max(cursor, seq)
                    } else if firstDeferred == nil {
                        firstDeferred = seq
                    }
                }
                if let firstDeferred { cursor = firstDeferred - 1 }
                guard !ids.isEmpty else { return CRMCommitChunk(committed: 0, cursor: afterSeq) }
                let parameters = [PostgresArrayLiteral.text(ids), batchID]
                switch entityType {
                case .account:
                    try connection.query(Self.createAccountsSQL, parameters)
                    try connection.query(Self.mergeUnchangedSQL("account"), parameters)
                case .person:
                    try connection.query(Self.createPeopleSQL, parameters)
                    try connection.query(Self.mergePeopleSQL, parameters)
                    try connection.query(Self.identitiesSQL, [parameters[0]])
                case .lead:
                    try connection.query(Self.createLeadsSQL, parameters)
                case .propertyInterest:
                    try connection.query(Self.createInterestsSQL, parameters)
                }
                try connection.query(
                    """
                    UPDATE crm_import_proposals SET status = 'committed',
                        committed_entity_id = coalesce(merge_target, id), committed_at = now()
                    WHERE id = ANY($1::uuid[])
                    """, [parameters[0]])
                try connection.query(
                    """
                    UPDATE crm_import_batches SET committed = committed + $2::int, updated_at = now()
                    WHERE id = $1::uuid
                    """, [batchID, String(ids.count)])
                return CRMCommitChunk(committed: ids.count, cursor: cursor)
            }
        }
    }

    /// Marks `skipped` the approved leads or interests (`entityType`) whose person was rejected
    /// or skipped; run once before that type's chunks (again on a resumed commit: it is idempotent).
    public func skipOrphans(batchID: String, entityType: CRMProposal.EntityType) async throws {
        _ = try await postgres.withConnection { connection in
            try await connection.query(Self.skipOrphansSQL, [batchID, entityType.rawValue])
        }
    }

    /// Ends the commit step: `committed` when no proposal awaits a decision, else back to
    /// `in_review` (what was approved is in; the rest can still be reviewed and committed).
    public func finishCommit(batchID: String) async throws -> CRMImportBatch.Status {
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                UPDATE crm_import_batches b SET updated_at = now(), status = CASE WHEN EXISTS (
                    SELECT 1 FROM crm_import_proposals p WHERE p.batch_id = b.id AND p.status IN ('pending', 'approved'))
                    THEN 'in_review' ELSE 'committed' END
                WHERE id = $1::uuid AND status = 'committing'
                RETURNING status
                """, [batchID])
        }
        let text = try rows.first?.text("status", table: Self.table) ?? CRMImportBatch.Status.committing.rawValue
        return CRMImportBatch.Status(rawValue: text) ?? .committing
    }

    static let skipOrphansSQL = """
        UPDATE crm_import_proposals c SET status = 'skipped'
        FROM crm_import_proposals person
        WHERE c.batch_id = $1::uuid AND c.entity_type = $2 AND c.status = 'approved' AND person.id = c.person_ref
            AND person.status IN ('rejected', 'skipped')
        """

    /// The changes of a created record: every non-null field, from nothing.
    static func createdChanges(_ row: String) -> String {
        """
        (SELECT coalesce(jsonb_object_agg(key, jsonb_build_object('before', NULL, 'after', value)), '{}'::jsonb)
         FROM jsonb_each(jsonb_strip_nulls(to_jsonb(\(row)) - 'id' - 'tenant_id' - 'created_at' - 'updated_at')))
        """
    }

    static let createAccountsSQL = """
        WITH c AS (
            SELECT id, tenant_id, coalesce(canonical_payload, proposed_payload) AS v FROM crm_import_proposals
            WHERE id = ANY($1::uuid[]) AND merge_target IS NULL
        ), created AS (
            INSERT INTO crm_accounts (id, tenant_id, name, name_key, source_batch_id)
            SELECT id, tenant_id, coalesce(v->>'name', ''), coalesce(v->>'name_key', lower(v->>'name'), ''), $2::uuid
            FROM c ON CONFLICT (id) DO NOTHING RETURNING *
        )
        INSERT INTO crm_graph_deltas (id, tenant_id, batch_id, proposal_id, entity_type, entity_id, operation, changes)
        SELECT gen_random_uuid(), a.tenant_id, $2::uuid, a.id, 'account', a.id, 'create', \(createdChanges("a"))
        FROM created a ON CONFLICT (proposal_id) DO NOTHING
        """

    /// A merge that writes nothing to the record (accounts: the name is the match): recorded as
    /// an `unchanged` delta, so every committed proposal has one.
    static func mergeUnchangedSQL(_ entity: String) -> String {
        """
        INSERT INTO crm_graph_deltas (id, tenant_id, batch_id, proposal_id, entity_type, entity_id, operation, changes)
        SELECT gen_random_uuid(), tenant_id, $2::uuid, id, '\(entity)', merge_target, 'unchanged', '{}'::jsonb
        FROM crm_import_proposals WHERE id = ANY($1::uuid[]) AND merge_target IS NOT NULL
        ON CONFLICT (proposal_id) DO NOTHING
        """
    }

    /// The text array of a payload's JSON array field.
    static func textArray(_ field: String) -> String {
        "ARRAY(SELECT jsonb_array_elements_text(coalesce(c.v->'\(field)', '[]'::jsonb)))"
    }

    static let createPeopleSQL = """
        WITH c AS (
            SELECT p.id, p.tenant_id, coalesce(p.canonical_payload, p.proposed_payload) AS v, account.committed_entity_id AS account_id
            FROM crm_import_proposals p
            LEFT JOIN crm_import_proposals account ON account.id = p.account_ref AND account.status = 'committed'
            WHERE p.id = ANY($1::uuid[]) AND p.merge_target IS NULL
        ), created AS (
            INSERT INTO crm_people (id, tenant_id, full_name, first_name, last_name, salutation, name_key, primary_phone,
                phones, primary_email, emails, city, state, country, account_id, job_title, source_batch_id)
            SELECT c.id, c.tenant_id, coalesce(c.v->>'full_name', ''), c.v->>'first_name', c.v->>'last_name',
                c.v->>'salutation', coalesce(c.v->>'name_key', ''), c.v->>'primary_phone', \(textArray("phones")),
                c.v->>'primary_email', \(textArray("emails")), c.v->>'city', c.v->>'state', c.v->>'country',
                c.account_id, c.v->>'job_title', $2::uuid
            FROM c ON CONFLICT (id) DO NOTHING RETURNING *
        )
        INSERT INTO crm_graph_deltas (id, tenant_id, batch_id, proposal_id, entity_type, entity_id, operation, changes)
        SELECT gen_random_uuid(), p.tenant_id, $2::uuid, p.id, 'person', p.id, 'create',
            \(createdChanges("p") .replacingOccurrences(of: "- 'updated_at'", with: "- 'updated_at' - 'source_batch_id'"))
        FROM created p ON CONFLICT (proposal_id) DO NOTHING
        """

    /// Folds proposals into their targets: empty fields filled, new phones and emails added,
    /// nothing the record has overwritten; the delta holds each changed field before and after.
    static let mergePeopleSQL = """
        WITH c AS (
            SELECT p.id AS proposal_id, p.merge_target, coalesce(p.canonical_payload, p.proposed_payload) AS v,
                account.committed_entity_id AS account_id
            FROM crm_import_proposals p
            LEFT JOIN crm_import_proposals account ON account.id = p.account_ref AND account.status = 'committed'
            WHERE p.id = ANY($1::uuid[]) AND p.merge_target IS NOT NULL
        ), old AS (
            SELECT t.* FROM crm_people t JOIN c ON t.id = c.merge_target
        ), updated AS (
            UPDATE crm_people t SET
                full_name = CASE WHEN t.full_name = '' THEN coalesce(c.v->>'full_name', '') ELSE t.full_name END,
                name_key = CASE WHEN t.name_key = '' THEN coalesce(c.v->>'name_key', '') ELSE t.name_key END,
                first_name = coalesce(t.first_name, c.v->>'first_name'),
                last_name = coalesce(t.last_name, c.v->>'last_name'),
                salutation = coalesce(t.salutation, c.v->>'salutation'),
                primary_phone = coalesce(t.primary_phone, c.v->>'primary_phone'),
                phones = t.phones || ARRAY(SELECT e FROM unnest(\(textArray("phones"))) e WHERE e <> ALL(t.phones)),
                primary_email = coalesce(t.primary_email, c.v->>'primary_email'),
                emails = t.emails || ARRAY(SELECT e FROM unnest(\(textArray("emails"))) e WHERE e <> ALL(t.emails)),
                city = coalesce(t.city, c.v->>'city'),
                state = coalesce(t.state, c.v->>'state'),
                country = coalesce(t.country, c.v->>'country'),
                account_id = coalesce(t.account_id, c.account_id),
                job_title = coalesce(t.job_title, c.v->>'job_title'),
                updated_at = now()
            FROM c WHERE t.id = c.merge_target
            RETURNING t.*, c.proposal_id
        )
        INSERT INTO crm_graph_deltas (id, tenant_id, batch_id, proposal_id, entity_type, entity_id, operation, changes)
        SELECT gen_random_uuid(), u.tenant_id, $2::uuid, u.proposal_id, 'person', u.id,
            CASE WHEN d.changes = '{}'::jsonb THEN 'unchanged' ELSE 'update' END, d.changes
        FROM updated u JOIN old ON old.id = u.id
        CROSS JOIN LATERAL (
            SELECT coalesce(jsonb_object_agg(o.key, jsonb_build_object('before', o.value, 'after', n.value)),
                '{}'::jsonb) AS changes
            FROM jsonb_each(to_jsonb(old) - 'updated_at') o
            JOIN jsonb_each(to_jsonb(u) - 'updated_at' - 'proposal_id') n ON n.key = o.key
            WHERE o.value IS DISTINCT FROM n.value
        ) d
        ON CONFLICT (proposal_id) DO NOTHING
        """

    /// Every phone and email of the chunk's people, for the next exact match.
    static let identitiesSQL = """
        WITH people AS (
            SELECT t.id, t.tenant_id, t.phones, t.emails FROM crm_people t
            JOIN crm_import_proposals p ON t.id = coalesce(p.merge_target, p.id)
            WHERE p.id = ANY($1::uuid[])
        )
        INSERT INTO crm_person_identities (tenant_id, kind, value, person_id)
        SELECT tenant_id, 'phone', unnest(phones), id FROM people
        UNION ALL
        SELECT tenant_id, 'email', unnest(emails), id FROM people
        ON CONFLICT DO NOTHING
        """

    static let createLeadsSQL = """
        WITH c AS (
            SELECT p.id, p.tenant_id, coalesce(p.canonical_payload, p.proposed_payload) AS v, person.committed_entity_id AS person_id,
                b.source_system
            FROM crm_import_proposals p
            JOIN crm_import_proposals person ON person.id = p.person_ref AND person.status = 'committed'
            JOIN crm_import_batches b ON b.id = p.batch_id
            WHERE p.id = ANY($1::uuid[])
        ), created AS (
            INSERT INTO crm_leads (id, tenant_id, person_id, source, stage, owner, external_id, source_system,
                source_created_at, import_batch_id)
            SELECT c.id, c.tenant_id, c.person_id, c.v->>'source', c.v->>'status', c.v->>'owner', c.v->>'external_id',
                c.source_system, c.v->>'created_at', $2::uuid
            FROM c ON CONFLICT (id) DO NOTHING RETURNING *
        ), notes AS (
            INSERT INTO intel_interactions (id, tenant_id, person_id, kind, body, source_ref)
            SELECT c.id, c.tenant_id, c.person_id, 'import_note', c.v->>'notes', 'crm_import_batches/' || $2
            FROM c WHERE coalesce(c.v->>'notes', '') <> ''
            ON CONFLICT (id) DO NOTHING
        )
        INSERT INTO crm_graph_deltas (id, tenant_id, batch_id, proposal_id, entity_type, entity_id, operation, changes)
        SELECT gen_random_uuid(), l.tenant_id, $2::uuid, l.id, 'lead', l.id, 'create',
            \(createdChanges("l").replacingOccurrences(of: "- 'updated_at'", with: "- 'updated_at' - 'import_batch_id'"))
        FROM created l ON CONFLICT (proposal_id) DO NOTHING
        """

    /// The interest's lead is found by `person_ref` alone (a proposal id, so of this batch): with
    /// the batch in the condition too, statistics taken when nothing was committed yet planned
    /// it as a walk of the batch's committed leads in seq order, once per interest.
    static let createInterestsSQL = """
        WITH c AS (
            SELECT p.id, p.tenant_id, coalesce(p.canonical_payload, p.proposed_payload) AS v, person.committed_entity_id AS person_id,
                (SELECT l.committed_entity_id FROM crm_import_proposals l
                 WHERE l.person_ref = p.person_ref AND l.entity_type = 'lead' AND l.status = 'committed'
                 ORDER BY l.seq LIMIT 1) AS lead_id
            FROM crm_import_proposals p
            JOIN crm_import_proposals person ON person.id = p.person_ref AND person.status = 'committed'
            WHERE p.id = ANY($1::uuid[])
        ), created AS (
            INSERT INTO crm_property_interests (id, tenant_id, person_id, lead_id, project, configuration, property_type,
                budget_min, budget_max, currency, location, import_batch_id)
            SELECT c.id, c.tenant_id, c.person_id, c.lead_id, c.v->>'project', c.v->>'configuration',
                c.v->>'property_type', (c.v->>'budget_min')::bigint, (c.v->>'budget_max')::bigint, c.v->>'currency',
                c.v->>'location', $2::uuid
            FROM c ON CONFLICT (id) DO NOTHING RETURNING *
        )
        INSERT INTO crm_graph_deltas (id, tenant_id, batch_id, proposal_id, entity_type, entity_id, operation, changes)
        SELECT gen_random_uuid(), i.tenant_id, $2::uuid, i.id, 'property_interest', i.id, 'create',
            \(createdChanges("i").replacingOccurrences(of: "- 'updated_at'", with: "- 'import_batch_id'"))
        FROM created i ON CONFLICT (proposal_id) DO NOTHING
        """
}
