public import PostgresClient

/// The platform's own tables that job kinds write (CRM-CONTRACTS names them): QD scores and
/// Oracle synthetic examples. Versions start at 300, after the gateway's (100s) and the box's
/// (200s); every table carries its `tenant_id`.
public enum PlatformMigrations {
    public static let all: [PostgresMigration] = base + crm

    static let base: [PostgresMigration] = [
        PostgresMigration(
            version: 300, name: "intel_qd_scores",
            sql: """
                CREATE TABLE intel_qd_scores (
                    signal_id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    job_id uuid NOT NULL UNIQUE,
                    person_id text NOT NULL,
                    lead_id text NOT NULL,
                    session_id text NOT NULL,
                    score_type text NOT NULL,
                    value int NOT NULL CHECK (value BETWEEN 1 AND 100),
                    confidence double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
                    window_start_ms bigint NOT NULL,
                    window_end_ms bigint NOT NULL,
                    bundle jsonb NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now()
                );
                CREATE INDEX intel_qd_scores_person ON intel_qd_scores (tenant_id, person_id, created_at DESC);
                """),
        PostgresMigration(
            version: 301, name: "oracle_synthetic_jobs",
            sql: """
                CREATE TABLE oracle_synthetic_jobs (
                    id uuid PRIMARY KEY,
                    tenant_id text NOT NULL,
                    template_id text NOT NULL,
                    schema jsonb NOT NULL,
                    count int NOT NULL CHECK (count BETWEEN 1 AND 10000),
                    examples jsonb NOT NULL DEFAULT '[]',
                    temperature double precision NOT NULL,
                    idempotency_key text,
                    created_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    canceled_at timestamptz,
                    UNIQUE (tenant_id, idempotency_key)
                );
                CREATE INDEX oracle_synthetic_jobs_tenant ON oracle_synthetic_jobs (tenant_id, created_at DESC, id DESC);
                CREATE TABLE oracle_synthetic_examples (
                    synthetic_job_id uuid NOT NULL REFERENCES oracle_synthetic_jobs (id),
                    line int NOT NULL,
                    tenant_id text NOT NULL,
                    example jsonb NOT NULL,
                    digest text NOT NULL,
                    llm_calls int NOT NULL,
                    regenerations int NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    PRIMARY KEY (synthetic_job_id, line),
                    UNIQUE (synthetic_job_id, digest)
                );
                """),
        PostgresMigration(
            version: 307, name: "oracle_synthetic_windows",
            sql: """
                ALTER TABLE oracle_synthetic_jobs ADD COLUMN expires_at timestamptz, ADD COLUMN promoted_at timestamptz,
                    ADD COLUMN promoted_priority int;
                """),
    ]

    /// Creates the platform's tables in `postgres` if they are missing.
    public static func migrate(_ postgres: PostgresPool) async throws {
        try await postgres.withConnection { connection in
            _ = try await PostgresMigrator().migrate(connection, migrations: all)
        }
    }
}
