import PostgresClient

extension ScheduleStore {
    /// Unpaused schedules whose next tick is at or before `now` (Unix seconds), earliest first.
    public func due(now: Int64, limit: Int) async throws -> [Schedule] {
        try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.columns) FROM schedules
                WHERE NOT paused AND next_fire_at <= to_timestamp($1::bigint)
                ORDER BY next_fire_at LIMIT $2::integer
                """, [String(now), String(limit)]
            ).map(Self.schedule)
        }
    }

    /// The earliest tick of any unpaused schedule (Unix seconds), so the scheduler can sleep
    /// until it.
    public func earliestNextFire() async throws -> Int64? {
        try await postgres.withConnection { connection in
            try await connection.query(
                "SELECT extract(epoch FROM min(next_fire_at))::bigint AS next FROM schedules WHERE NOT paused"
            ).first?["next"].flatMap { Int64($0) }
        }
    }

    /// Decides `plan` for `schedule` as it was read: in one statement the schedule moves from
    /// its due tick to `plan.next` and the run row is written, if the schedule is still at that
    /// tick and revision and not paused. False when another scheduler (or an edit) got there
    /// first, and then nothing changed.
    public func claim(_ schedule: Schedule, plan: TickPlan, jobID: String?, by scheduler: String) async throws -> Bool {
        guard let due = schedule.nextFire else { return false }
        return try await postgres.withConnection { connection in
            !(try await connection.query(
                """
                WITH claimed AS (
                    UPDATE schedules SET next_fire_at = to_timestamp($4::bigint), last_tick_at = to_timestamp($5::bigint),
                        last_job_id = coalesce($6::uuid, last_job_id)
                    WHERE id = $1 AND revision = $2::integer AND next_fire_at = to_timestamp($3::bigint) AND NOT paused
                    RETURNING id
                )
                INSERT INTO schedule_runs (schedule_id, tick_at, decision, job_id, missed, decided_by)
                SELECT id, to_timestamp($5::bigint), $7, $6::uuid, $8::integer, $9 FROM claimed
                -- A tick decided before (an edit that raced a claim put the schedule back on it)
                -- is not decided again: the schedule moves on and this scheduler made nothing.
                ON CONFLICT (schedule_id, tick_at) DO NOTHING
                RETURNING schedule_id
                """,
                [
                    schedule.id, String(schedule.revision), String(due), plan.next.map(String.init), String(plan.tick),
                    jobID, plan.decision.rawValue, String(plan.missed), scheduler,
                ]
            ).isEmpty)
        }
    }

    /// Marks a run's job recorded, or refused with `error`.
    public func markSubmitted(scheduleID: String, tick: Int64, error: String? = nil) async throws {
        try await postgres.withConnection { connection in
            _ = try await connection.query(
                """
                UPDATE schedule_runs SET submitted_at = now(), error = $3
                WHERE schedule_id = $1 AND tick_at = to_timestamp($2::bigint)
                """, [scheduleID, String(tick), error])
        }
    }

    /// Runs decided at least `olderThan` seconds ago whose job is not marked submitted: their
    /// scheduler died between the decision and the submit (or the submit failed). With each,
    /// its schedule as it is now.
    public func unsubmitted(olderThan seconds: Double, limit: Int = 100) async throws -> [(Schedule, ScheduleRun)] {
        try await postgres.withConnection { connection in
            let rows = try await connection.query(
                """
                SELECT \(Self.columns), \(Self.runColumns("r"))
                FROM schedule_runs r JOIN schedules ON schedules.id = r.schedule_id
                WHERE r.decision = 'run' AND r.submitted_at IS NULL
                    AND r.decided_at < now() - make_interval(secs => $1::double precision)
                ORDER BY r.decided_at LIMIT $2::integer
                """, [String(seconds), String(limit)])
            return try rows.map { (try Self.schedule($0), try Self.run($0)) }
        }
    }

    /// A schedule's runs, latest tick first, before `cursor` (Unix seconds of a tick).
    public func runs(scheduleID: String, before cursor: Int64?, limit: Int) async throws -> [ScheduleRun] {
        try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.runColumns("r")) FROM schedule_runs r
                WHERE r.schedule_id = $1 AND ($2::bigint IS NULL OR r.tick_at < to_timestamp($2::bigint))
                ORDER BY r.tick_at DESC LIMIT $3::integer
                """, [scheduleID, cursor.map(String.init), String(limit)]
            ).map(Self.run)
        }
    }

    /// Forgets runs decided more than `days` ago; returns how many.
    public func pruneRuns(olderThanDays days: Int) async throws -> Int {
        try await postgres.withConnection { connection in
            try await connection.query(
                """
                DELETE FROM schedule_runs WHERE decided_at < now() - make_interval(days => $1::integer)
                    AND (decision <> 'run' OR submitted_at IS NOT NULL)
                RETURNING 1
                """, [String(days)]
            ).count
        }
    }

    static func runColumns(_ alias: String) -> String {
        """
        \(alias).schedule_id AS run_schedule, extract(epoch FROM \(alias).tick_at)::bigint AS run_tick,
        \(alias).decision AS run_decision, \(alias).job_id::text AS run_job, \(alias).missed AS run_missed,
        to_char(\(alias).decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS run_decided,
        \(alias).decided_by AS run_by,
        to_char(\(alias).submitted_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS run_submitted,
        \(alias).error AS run_error
        """
    }

    static func run(_ row: PostgresRow) throws -> ScheduleRun {
        let table = "schedule_runs"
        let decision = try row.text("run_decision", table: table)
        guard let parsed = TickDecision(rawValue: decision), let tick = Int64(try row.text("run_tick", table: table)) else {
            throw PostgresError(.malformedRow, "schedule_runs: decision '\(decision)' or its tick is unreadable")
        }
        return ScheduleRun(
            scheduleID: try row.text("run_schedule", table: table), tick: tick, decision: parsed, jobID: row["run_job"],
            missed: try row.int("run_missed", table: table), decidedAt: try row.text("run_decided", table: table),
            decidedBy: try row.text("run_by", table: table), submittedAt: row["run_submitted"], error: row["run_error"])
    }
}
