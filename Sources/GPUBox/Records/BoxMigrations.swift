public import PostgresClient
public import VelocityTypes

/// The GPU box's audit tables: one row per mode switch and one per step event. Versions start
/// at 200 so they never collide with the job record's or the gateway's.
public enum BoxMigrations {
    public static let all: [PostgresMigration] = [
        PostgresMigration(
            version: 200, name: "box_mode_switches",
            sql: """
                CREATE TABLE box_mode_switches (
                    id text PRIMARY KEY,
                    box text NOT NULL,
                    from_mode text,
                    to_mode text NOT NULL,
                    requested_by text NOT NULL,
                    requested_at timestamptz NOT NULL,
                    started_at timestamptz NOT NULL DEFAULT now(),
                    finished_at timestamptz,
                    outcome text CHECK (outcome IN ('switched', 'rolled_back', 'halted')),
                    final_mode text,
                    reason text
                );
                CREATE INDEX box_mode_switches_box ON box_mode_switches (box, started_at DESC);
                CREATE TABLE box_mode_switch_events (
                    switch_id text NOT NULL REFERENCES box_mode_switches (id),
                    seq int NOT NULL,
                    step text NOT NULL,
                    mode text NOT NULL,
                    status text NOT NULL CHECK (status IN ('started', 'succeeded', 'failed')),
                    message text NOT NULL DEFAULT '',
                    at timestamptz NOT NULL DEFAULT clock_timestamp(),
                    PRIMARY KEY (switch_id, seq)
                );
                """),
        // Why a switch was asked for: the autopilot's advice, or an operator's note.
        PostgresMigration(
            version: 201, name: "box_mode_switches_request_reason",
            sql: "ALTER TABLE box_mode_switches ADD COLUMN request_reason text;"),
    ]
}
