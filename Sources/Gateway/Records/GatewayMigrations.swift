public import Broker

/// The gateway's tables, after the job record's: API keys, OpenAI-style files and batches.
/// Versions start at 100 so they never collide with `JobRecordMigrations`.
public enum GatewayMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(
            version: 100, name: "api_keys",
            sql: """
                CREATE TABLE api_keys (
                    id text PRIMARY KEY,
                    tenant text NOT NULL,
                    role text NOT NULL CHECK (role IN ('submitter', 'operator', 'admin')),
                    secret_sha256 text NOT NULL UNIQUE,
                    name text NOT NULL DEFAULT '',
                    created_at timestamptz NOT NULL DEFAULT now(),
                    revoked_at timestamptz
                );
                """),
        PostgresMigration(
            version: 101, name: "files_and_batches",
            sql: """
                CREATE TABLE files (
                    id text PRIMARY KEY,
                    tenant text NOT NULL,
                    purpose text NOT NULL,
                    filename text NOT NULL,
                    bytes bigint NOT NULL,
                    blob_key text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX files_tenant_created ON files (tenant, created_at DESC);
                CREATE TABLE batches (
                    id text PRIMARY KEY,
                    tenant text NOT NULL,
                    endpoint text NOT NULL,
                    input_file_id text NOT NULL,
                    completion_window text NOT NULL,
                    status text NOT NULL,
                    metadata text,
                    total integer NOT NULL DEFAULT 0,
                    completed integer NOT NULL DEFAULT 0,
                    failed integer NOT NULL DEFAULT 0,
                    errors text,
                    output_file_id text,
                    error_file_id text,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    in_progress_at timestamptz,
                    expires_at timestamptz,
                    finalizing_at timestamptz,
                    completed_at timestamptz,
                    failed_at timestamptz,
                    expired_at timestamptz,
                    cancelling_at timestamptz,
                    cancelled_at timestamptz
                );
                CREATE INDEX batches_tenant_created ON batches (tenant, created_at DESC);
                CREATE INDEX batches_open ON batches (id) WHERE status IN ('validating', 'in_progress', 'finalizing', 'cancelling');
                """),
        PostgresMigration(
            version: 102, name: "batch_leases",
            sql: """
                -- Which gateway process is working a batch's next transition, and until when: a
                -- process that dies mid-way loses its claim when the lease runs out.
                ALTER TABLE batches ADD COLUMN lease_owner text, ADD COLUMN lease_until timestamptz;
                """),
        PostgresMigration(
            version: 103, name: "api_keys_reviewer_role",
            sql: """
                ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
                ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
                    CHECK (role IN ('submitter', 'reviewer', 'operator', 'admin'));
                """),
        PostgresMigration(
            version: 104, name: "batch_trace_context",
            sql: """
                -- The traceparent of the request that made the batch: its lines' jobs continue it.
                ALTER TABLE batches ADD COLUMN trace_parent text;
                """),
        PostgresMigration(
            version: 105, name: "batch_webhooks",
            sql: """
                -- Where the batch's end is pushed (WebhookMigrations 401's trigger), and which ends.
                ALTER TABLE batches ADD COLUMN webhook_url text, ADD COLUMN webhook_events text;
                """),
        PostgresMigration(
            version: 106, name: "batch_promotion",
            sql: """
                -- When the coordinator promoted the batch's open lines out of the backfill band
                -- because its window neared (BatchWindow); null while it has not.
                ALTER TABLE batches ADD COLUMN promoted_at timestamptz;
                """),
        PostgresMigration(
            version: 107, name: "batch_deadline_class",
            sql: """
                -- The priority its open lines were last promoted to (BatchWindow.promotionPriority):
                -- raised a class as the window closes.
                ALTER TABLE batches ADD COLUMN promoted_priority int;
                """),
    ]

    /// Every migration the gateway's database needs, job records included.
    public static var withJobRecords: [PostgresMigration] { JobRecordMigrations.all + all }
}
