public import PostgresClient

extension PlatformMigrations {
    /// The canonical CRM tables an import writes (CRM-CONTRACTS names them), and the import's
    /// own artifacts: the raw batch, its rows, mapping manifests, proposals, decisions and
    /// graph deltas. Every table carries its `tenant_id`.
    static let crm: [PostgresMigration] = [
        PostgresMigration(
            version: 302, name: "crm_canonical_tables",
            sql: """
                -- Extensions are per database, so it goes to `public` and is named with its schema:
                -- a session whose search_path lacks `public` still finds it.
                CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
                CREATE TABLE crm_accounts (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    name text NOT NULL,
                    name_key text NOT NULL,
                    source_batch_id uuid,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX crm_accounts_name ON crm_accounts (tenant_id, name_key);
                CREATE TABLE crm_people (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    full_name text NOT NULL,
                    first_name text,
                    last_name text,
                    salutation text,
                    name_key text NOT NULL,
                    primary_phone text,
                    phones text[] NOT NULL DEFAULT '{}',
                    primary_email text,
                    emails text[] NOT NULL DEFAULT '{}',
                    city text,
                    state text,
                    country text,
                    account_id uuid REFERENCES crm_accounts (id),
                    job_title text,
                    source_batch_id uuid,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX crm_people_tenant ON crm_people (tenant_id, created_at DESC, id DESC);
                -- Blocking keys of the fuzzy match: the phone's last 7 digits, and the city with a
                -- name block (first two letters of the first name, first three of the last: a
                -- common first name alone makes blocks of thousands in a big city); names in a
                -- block are then compared by trigram similarity.
                CREATE INDEX crm_people_phone_suffix ON crm_people (tenant_id, right(primary_phone, 7));
                CREATE INDEX crm_people_city_name ON crm_people (
                    tenant_id, lower(city), (left(name_key, 2) || '|' || left(regexp_replace(name_key, '^.* ', ''), 3)));
                CREATE INDEX crm_people_name_trgm ON crm_people USING gin (name_key public.gin_trgm_ops);
                -- Every phone and email of a person, for exact matches by any of them.
                CREATE TABLE crm_person_identities (
                    tenant_id text NOT NULL,
                    kind text NOT NULL CHECK (kind IN ('phone', 'email')),
                    value text NOT NULL,
                    person_id uuid NOT NULL REFERENCES crm_people (id) ON DELETE CASCADE,
                    PRIMARY KEY (tenant_id, kind, value, person_id)
                );
                CREATE TABLE crm_leads (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    person_id uuid NOT NULL REFERENCES crm_people (id),
                    source text,
                    stage text,
                    owner text,
                    external_id text,
                    source_system text,
                    source_created_at text,
                    import_batch_id uuid,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX crm_leads_person ON crm_leads (tenant_id, person_id);
                CREATE TABLE crm_property_interests (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    person_id uuid NOT NULL REFERENCES crm_people (id),
                    lead_id uuid REFERENCES crm_leads (id),
                    project text,
                    configuration text,
                    property_type text,
                    budget_min bigint,
                    budget_max bigint,
                    currency text,
                    location text,
                    import_batch_id uuid,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX crm_property_interests_person ON crm_property_interests (tenant_id, person_id);
                -- The unified interaction timeline: an import's notes land here.
                CREATE TABLE intel_interactions (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    person_id uuid NOT NULL REFERENCES crm_people (id),
                    kind text NOT NULL,
                    body text NOT NULL,
                    source_ref text NOT NULL,
                    occurred_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX intel_interactions_person ON intel_interactions (tenant_id, person_id, occurred_at DESC);
                """),
        PostgresMigration(
            version: 303, name: "crm_import_artifacts",
            sql: """
                CREATE TABLE crm_import_batches (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    sha256 text NOT NULL,
                    source_system text NOT NULL,
                    uploaded_filename text NOT NULL,
                    mime_type text NOT NULL,
                    storage_ref text NOT NULL,
                    byte_count bigint NOT NULL,
                    row_count int NOT NULL,
                    encoding text NOT NULL,
                    delimiter text NOT NULL,
                    header jsonb NOT NULL,
                    default_region text NOT NULL,
                    auto_approve text NOT NULL,
                    status text NOT NULL,
                    error jsonb,
                    manifest_id uuid,
                    ingest_offset bigint NOT NULL DEFAULT 0,
                    ingest_line int NOT NULL DEFAULT 1,
                    rows_read int NOT NULL DEFAULT 0,
                    rows_with_errors int NOT NULL DEFAULT 0,
                    propose_rows int NOT NULL DEFAULT 0,
                    proposals int NOT NULL DEFAULT 0,
                    committed int NOT NULL DEFAULT 0,
                    idempotency_key text,
                    uploaded_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (tenant_id, sha256),
                    UNIQUE (tenant_id, idempotency_key)
                );
                CREATE INDEX crm_import_batches_tenant ON crm_import_batches (tenant_id, created_at DESC, id DESC);
                CREATE TABLE crm_import_rows (
                    batch_id uuid NOT NULL REFERENCES crm_import_batches (id),
                    row_number int NOT NULL,
                    tenant_id text NOT NULL,
                    line int NOT NULL,
                    cells text[] NOT NULL,
                    -- As parsed (a ragged row, a broken quote): immutable, like the cells.
                    issues jsonb,
                    -- Found by normalization with the mapping in force; replaced when it changes.
                    normalize_issues jsonb,
                    PRIMARY KEY (batch_id, row_number)
                );
                CREATE TABLE crm_import_manifests (
                    id uuid PRIMARY KEY,
                    batch_id uuid NOT NULL REFERENCES crm_import_batches (id),
                    tenant_id text NOT NULL,
                    version int NOT NULL,
                    source_profile text NOT NULL,
                    manifest jsonb NOT NULL,
                    resolved boolean NOT NULL,
                    created_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (batch_id, version)
                );
                CREATE TABLE crm_import_proposals (
                    id uuid PRIMARY KEY,
                    batch_id uuid NOT NULL REFERENCES crm_import_batches (id),
                    tenant_id text NOT NULL,
                    seq int NOT NULL,
                    entity_type text NOT NULL CHECK (entity_type IN ('person', 'account', 'lead', 'property_interest')),
                    person_ref uuid,
                    account_ref uuid,
                    proposed_payload jsonb NOT NULL,
                    canonical_payload jsonb NOT NULL,
                    source_rows int[] NOT NULL,
                    confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
                    issues jsonb NOT NULL DEFAULT '[]',
                    conflicts jsonb NOT NULL DEFAULT '[]',
                    match_keys jsonb,
                    merge_candidates jsonb NOT NULL DEFAULT '[]',
                    best_candidate double precision,
                    merge_target uuid,
                    review_required boolean NOT NULL,
                    status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'committed', 'skipped')),
                    decision_id uuid,
                    committed_entity_id uuid,
                    committed_at timestamptz,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (batch_id, seq)
                );
                CREATE INDEX crm_import_proposals_review ON crm_import_proposals (batch_id, status, entity_type, seq);
                CREATE INDEX crm_import_proposals_person ON crm_import_proposals (person_ref);
                CREATE TABLE crm_import_decisions (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    batch_id uuid NOT NULL REFERENCES crm_import_batches (id),
                    proposal_id uuid NOT NULL REFERENCES crm_import_proposals (id),
                    reviewer text NOT NULL,
                    decision text NOT NULL CHECK (decision IN ('approve', 'reject', 'edit', 'merge')),
                    notes text,
                    payload jsonb,
                    rule jsonb,
                    decided_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX crm_import_decisions_proposal ON crm_import_decisions (proposal_id, decided_at);
                -- ApprovalDecisions are an audit record: never changed, never removed.
                CREATE FUNCTION crm_import_decisions_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION 'crm_import_decisions are immutable';
                END $$;
                CREATE TRIGGER crm_import_decisions_immutable BEFORE UPDATE OR DELETE ON crm_import_decisions
                    FOR EACH ROW EXECUTE FUNCTION crm_import_decisions_immutable();
                CREATE TABLE crm_graph_deltas (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    batch_id uuid NOT NULL REFERENCES crm_import_batches (id),
                    proposal_id uuid NOT NULL UNIQUE REFERENCES crm_import_proposals (id),
                    entity_type text NOT NULL,
                    entity_id uuid NOT NULL,
                    operation text NOT NULL CHECK (operation IN ('create', 'update', 'unchanged')),
                    changes jsonb NOT NULL,
                    committed_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX crm_graph_deltas_batch ON crm_graph_deltas (batch_id, committed_at);
                """),
        PostgresMigration(
            version: 304, name: "crm_import_proposal_counts",
            sql: """
                -- Counts by status, kept by statement triggers in the transaction that changes the
                -- proposals: a batch page polled every second must not count 300,000 rows each time.
                CREATE TABLE crm_import_proposal_counts (
                    batch_id uuid NOT NULL,
                    status text NOT NULL,
                    n bigint NOT NULL,
                    PRIMARY KEY (batch_id, status)
                );
                CREATE FUNCTION crm_import_proposal_counts_apply() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    -- Only the branch of the firing operation is parsed, so each names only the
                    -- transition tables its trigger declares.
                    IF TG_OP = 'INSERT' THEN
                        INSERT INTO crm_import_proposal_counts AS c (batch_id, status, n)
                        SELECT batch_id, status, count(*) FROM new_rows GROUP BY 1, 2
                        ON CONFLICT (batch_id, status) DO UPDATE SET n = c.n + EXCLUDED.n;
                    ELSIF TG_OP = 'UPDATE' THEN
                        INSERT INTO crm_import_proposal_counts AS c (batch_id, status, n)
                        SELECT batch_id, status, sum(d) FROM (
                            SELECT batch_id, status, 1 AS d FROM new_rows
                            UNION ALL SELECT batch_id, status, -1 FROM old_rows) changed
                        GROUP BY 1, 2 HAVING sum(d) <> 0
                        ON CONFLICT (batch_id, status) DO UPDATE SET n = c.n + EXCLUDED.n;
                    ELSE
                        UPDATE crm_import_proposal_counts c SET n = c.n - d.n
                        FROM (SELECT batch_id, status, count(*) AS n FROM old_rows GROUP BY 1, 2) d
                        WHERE c.batch_id = d.batch_id AND c.status = d.status;
                    END IF;
                    RETURN NULL;
                END $$;
                CREATE TRIGGER crm_import_proposal_counts_insert AFTER INSERT ON crm_import_proposals
                    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
                    EXECUTE FUNCTION crm_import_proposal_counts_apply();
                CREATE TRIGGER crm_import_proposal_counts_update AFTER UPDATE ON crm_import_proposals
                    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT
                    EXECUTE FUNCTION crm_import_proposal_counts_apply();
                CREATE TRIGGER crm_import_proposal_counts_delete AFTER DELETE ON crm_import_proposals
                    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
                    EXECUTE FUNCTION crm_import_proposal_counts_apply();
                INSERT INTO crm_import_proposal_counts (batch_id, status, n)
                SELECT batch_id, status, count(*) FROM crm_import_proposals GROUP BY 1, 2;
                -- Matching compares names by similarity() within a block, never by an index
                -- search, and a trigram GIN index cost more than any other part of a commit.
                DROP INDEX IF EXISTS crm_people_name_trgm;
                """),
        PostgresMigration(
            version: 305, name: "crm_import_webhooks",
            sql: """
                -- Where the import's progress is pushed (WebhookMigrations 402's trigger), and which steps.
                ALTER TABLE crm_import_batches ADD COLUMN webhook_url text, ADD COLUMN webhook_events text;
                """),
        PostgresMigration(
            version: 306, name: "crm_import_bulk_writes",
            sql: """
                -- An import writes a row per source row and about three proposals per person, by COPY;
                -- per-row work there is most of a propose step's database time.
                -- The foreign keys to the batch checked every copied row: rows and proposals are only
                -- written by the steps, in the transaction that moves the batch's checkpoint (so the
                -- batch exists and is locked), and batches are never deleted.
                ALTER TABLE crm_import_rows DROP CONSTRAINT IF EXISTS crm_import_rows_batch_id_fkey;
                ALTER TABLE crm_import_proposals DROP CONSTRAINT IF EXISTS crm_import_proposals_batch_id_fkey;
                -- The canonical payload is stored only once a reviewer edits it; until then it is
                -- the proposed one (readers take coalesce(canonical_payload, proposed_payload)).
                ALTER TABLE crm_import_proposals ALTER COLUMN canonical_payload DROP NOT NULL;
                UPDATE crm_import_proposals SET canonical_payload = NULL WHERE canonical_payload = proposed_payload;
                -- New proposals are counted by the statement that stores them (all `pending`), not
                -- by a trigger reading back every copied row; updates and deletes keep their triggers.
                DROP TRIGGER IF EXISTS crm_import_proposal_counts_insert ON crm_import_proposals;
                """),
    ]
}
