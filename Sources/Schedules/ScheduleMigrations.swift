public import PostgresClient

/// The schedule tables, after the job records' (`schedule_runs` joins `jobs` to find ticks
/// whose job was never recorded).
///
/// A tick is decided by one statement: the schedule's row moves from that tick to the next
/// (compared on its tick and its revision) and the run row is inserted, or nothing happens;
/// `schedule_runs`' key on (schedule, tick) makes a second decision of one tick impossible
/// whatever the schedulers do.
public enum ScheduleMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(
            version: 500, name: "schedules",
            sql: """
                CREATE TABLE schedules (
                    id text PRIMARY KEY,
                    tenant text NOT NULL,
                    name text,
                    cron text NOT NULL,
                    time_zone text NOT NULL,
                    job jsonb NOT NULL,
                    overlap text NOT NULL CHECK (overlap IN ('skip', 'allow')),
                    missed text NOT NULL CHECK (missed IN ('skip', 'run_once')),
                    paused boolean NOT NULL DEFAULT false,
                    revision integer NOT NULL DEFAULT 1,
                    next_fire_at timestamptz,
                    last_tick_at timestamptz,
                    last_job_id uuid,
                    created_by text NOT NULL,
                    created_at timestamptz NOT NULL DEFAULT now(),
                    updated_at timestamptz NOT NULL DEFAULT now(),
                    UNIQUE (tenant, name)
                );
                CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE NOT paused;
                CREATE INDEX schedules_tenant ON schedules (tenant, id);
                CREATE TABLE schedule_runs (
                    schedule_id text NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
                    tick_at timestamptz NOT NULL,
                    decision text NOT NULL CHECK (decision IN ('run', 'skipped_overlap', 'missed')),
                    job_id uuid UNIQUE,
                    missed integer NOT NULL DEFAULT 0,
                    decided_at timestamptz NOT NULL DEFAULT now(),
                    decided_by text NOT NULL,
                    submitted_at timestamptz,
                    error text,
                    PRIMARY KEY (schedule_id, tick_at)
                );
                CREATE INDEX schedule_runs_unsubmitted ON schedule_runs (decided_at)
                    WHERE decision = 'run' AND submitted_at IS NULL;
                """)
    ]
}
