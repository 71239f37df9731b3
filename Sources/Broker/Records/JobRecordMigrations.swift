public import PostgresClient

/// The system-of-record schema, applied in order at start-up by `PostgresMigrator`.
public enum JobRecordMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(
            version: 1, name: "jobs",
            sql: """
                CREATE TABLE jobs (
                    id uuid PRIMARY KEY,
                    queue text NOT NULL,
                    kind text NOT NULL,
                    tenant text NOT NULL,
                    actor text NOT NULL DEFAULT '',
                    payload text NOT NULL,
                    priority integer NOT NULL,
                    max_attempts integer NOT NULL,
                    backoff_base_ms integer NOT NULL,
                    backoff_max_ms integer NOT NULL,
                    lease_ms integer NOT NULL,
                    run_timeout_ms integer NOT NULL,
                    wait_timeout_ms integer NOT NULL,
                    idempotency_key text,
                    parent_batch text,
                    delay_ms integer NOT NULL DEFAULT 0,
                    state text NOT NULL CHECK (state IN
                        ('queued','starting','processing','succeeded','failed','canceled','retrying','dead')),
                    attempts integer NOT NULL DEFAULT 0,
                    result text,
                    error_code text,
                    error_message text,
                    worker text,
                    created_at timestamptz NOT NULL,
                    started_at timestamptz,
                    finished_at timestamptz,
                    state_at_ms bigint,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE UNIQUE INDEX jobs_idempotency ON jobs (tenant, idempotency_key)
                    WHERE idempotency_key IS NOT NULL;
                CREATE INDEX jobs_open ON jobs (id)
                    WHERE state NOT IN ('succeeded', 'failed', 'canceled', 'dead');
                CREATE INDEX jobs_tenant_created ON jobs (tenant, created_at DESC);
                CREATE INDEX jobs_parent ON jobs (parent_batch) WHERE parent_batch IS NOT NULL;
                """),
        PostgresMigration(
            version: 2, name: "job webhooks",
            sql: """
                ALTER TABLE jobs ADD COLUMN webhook_url text, ADD COLUMN webhook_events text;
                """),
        PostgresMigration(
            version: 3, name: "job trace context",
            sql: """
                ALTER TABLE jobs ADD COLUMN trace_parent text;
                """),
        PostgresMigration(
            version: 4, name: "job progress milestones",
            sql: """
                CREATE TABLE job_milestones (
                    job_id uuid NOT NULL,
                    percent integer NOT NULL,
                    reached_at timestamptz NOT NULL,
                    PRIMARY KEY (job_id, percent)
                );
                """),
        PostgresMigration(
            version: 5, name: "job concurrency key",
            sql: """
                ALTER TABLE jobs ADD COLUMN concurrency_key text;
                """),
        PostgresMigration(
            version: 6, name: "queue settings",
            sql: """
                CREATE TABLE queue_settings (
                    queue text PRIMARY KEY,
                    limits jsonb,
                    paused boolean,
                    updated_at timestamptz NOT NULL DEFAULT now()
                );
                COMMENT ON COLUMN queue_settings.limits IS 'NULL: never set through a recording path';
                COMMENT ON COLUMN queue_settings.paused IS 'NULL: never paused or resumed through a recording path';
                """),
    ]
}
