public import Foundation
public import PostgresClient
public import VelocityTypes

/// The `schedules` table: a tenant's schedules, made, read, edited and deleted.
/// (`ScheduleStore+Ticks` holds what the scheduler does with them.)
public struct ScheduleStore: Sendable {
    public let postgres: PostgresPool
    /// Schedules a tenant may have at once.
    public let perTenantLimit: Int

    public init(postgres: PostgresPool, perTenantLimit: Int = 1_000) {
        self.postgres = postgres
        self.perTenantLimit = perTenantLimit
    }

    /// A schedule to make, or the fields of an edit.
    public struct Draft: Sendable, Equatable {
        public var name: String?
        public var cron: String
        public var timeZone: String
        public var job: JSONValue
        public var overlap: OverlapPolicy
        public var missed: MissedTickPolicy
        public var paused: Bool

        public init(
            name: String?, cron: String, timeZone: String, job: JSONValue, overlap: OverlapPolicy = .skip,
            missed: MissedTickPolicy = .skip, paused: Bool = false
        ) {
            self.name = name
            self.cron = cron
            self.timeZone = timeZone
            self.job = job
            self.overlap = overlap
            self.missed = missed
            self.paused = paused
        }

        public init(_ schedule: Schedule) {
            self.init(
                name: schedule.name, cron: schedule.cron, timeZone: schedule.timeZone, job: schedule.job,
                overlap: schedule.overlap, missed: schedule.missed, paused: schedule.paused)
        }
    }

    /// Makes a schedule whose first tick is the first after `now`; refuses an expression or zone
    /// that does not parse, a name the tenant uses, and a tenant at its limit.
    public func create(_ draft: Draft, tenant: String, by actor: String, now: Date = Date()) async throws -> Schedule {
        let next = try CronSchedule(cron: draft.cron, timeZone: draft.timeZone).nextFire(after: now)
        let id = "sch_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        let rows = try await Self.refusingDuplicateName(draft.name) {
            try await postgres.withConnection { connection in
                try await connection.query(
                    """
                    INSERT INTO schedules (id, tenant, name, cron, time_zone, job, overlap, missed, paused, next_fire_at, created_by)
                    SELECT $1, $2, $3, $4, $5, $6::jsonb, $7, $8, $9::boolean, to_timestamp($10::bigint), $11
                    WHERE (SELECT count(*) FROM schedules WHERE tenant = $2) < $12::integer
                    RETURNING \(Self.columns)
                    """,
                    [
                        id, tenant, draft.name, draft.cron, draft.timeZone, draft.job.jsonText, draft.overlap.rawValue,
                        draft.missed.rawValue, draft.paused ? "true" : "false",
                        next.map { String(Int64($0.timeIntervalSince1970)) }, actor, String(perTenantLimit),
                    ])
            }
        }
        guard let row = rows.first else {
            throw ScheduleError(.scheduleConflict, "tenant \(tenant) has \(perTenantLimit) schedules, the most it may have")
        }
        return try Self.schedule(row)
    }

    public func schedule(id: String, tenant: String?) async throws -> Schedule? {
        try await postgres.withConnection { connection in
            try await connection.query(
                "SELECT \(Self.columns) FROM schedules WHERE id = $1 AND ($2::text IS NULL OR tenant = $2)", [id, tenant]
            ).first.map(Self.schedule)
        }
    }

    /// The tenant's schedules in id order, after `cursor` (an id).
    public func list(tenant: String, after cursor: String?, limit: Int) async throws -> [Schedule] {
        try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT \(Self.columns) FROM schedules WHERE tenant = $1 AND ($2::text IS NULL OR id > $2)
                ORDER BY id LIMIT $3::integer
                """, [tenant, cursor, String(limit)]
            ).map(Self.schedule)
        }
    }

    /// Replaces `schedule`'s fields with `draft` if nobody edited it since it was read (else
    /// `scheduleConflict`). The next tick is computed again from `now` when the expression or
    /// the zone changed or the schedule is resumed: ticks passed while paused are not made up.
    public func update(_ schedule: Schedule, to draft: Draft, now: Date = Date()) async throws -> Schedule {
        let parsed = try CronSchedule(cron: draft.cron, timeZone: draft.timeZone)
        let retimed =
            draft.cron != schedule.cron || draft.timeZone != schedule.timeZone || (schedule.paused && !draft.paused)
        // Never from before the last decided tick (a gateway whose clock is behind): that tick's
        // run row exists, and deciding it again is impossible.
        let after = max(Int64(now.timeIntervalSince1970.rounded(.down)), schedule.lastTick ?? .min)
        let next: Int64? = retimed ? parsed.nextFire(after: after) : nil
        let rows = try await Self.refusingDuplicateName(draft.name) {
            try await postgres.withConnection { connection in
                try await connection.query(
                    """
                    UPDATE schedules SET name = $3, cron = $4, time_zone = $5, job = $6::jsonb, overlap = $7, missed = $8,
                        paused = $9::boolean, revision = revision + 1, updated_at = now(),
                        -- Kept unless retimed: a scheduler may have moved it since it was read
                        -- (claims do not change the revision).
                        next_fire_at = CASE WHEN $11::boolean THEN to_timestamp($10::bigint) ELSE next_fire_at END
                    WHERE id = $1 AND revision = $2::integer
                    RETURNING \(Self.columns)
                    """,
                    [
                        schedule.id, String(schedule.revision), draft.name, draft.cron, draft.timeZone, draft.job.jsonText,
                        draft.overlap.rawValue, draft.missed.rawValue, draft.paused ? "true" : "false", next.map(String.init),
                        retimed ? "true" : "false",
                    ])
            }
        }
        guard let row = rows.first else {
            throw ScheduleError(.scheduleConflict, "schedule \(schedule.id) was changed or deleted meanwhile; read it again")
        }
        return try Self.schedule(row)
    }

    /// Deletes the schedule and its run history (the jobs it made stay); false when there was none.
    public func delete(id: String, tenant: String?) async throws -> Bool {
        try await postgres.withConnection { connection in
            !(try await connection.query(
                "DELETE FROM schedules WHERE id = $1 AND ($2::text IS NULL OR tenant = $2) RETURNING id", [id, tenant]
            ).isEmpty)
        }
    }

    static func refusingDuplicateName(
        _ name: String?, _ body: () async throws -> PostgresRows
    ) async throws -> PostgresRows {
        do {
            return try await body()
        } catch let error as PostgresError where error.sqlState == "23505" {
            throw ScheduleError(.scheduleConflict, "the tenant already has a schedule named '\(name ?? "")'")
        }
    }

    /// Qualified, so queries that join `schedule_runs` read them too.
    static let columns = """
        schedules.id, schedules.tenant, schedules.name, schedules.cron, schedules.time_zone,
        schedules.job::text AS job, schedules.overlap, schedules.missed, schedules.paused, schedules.revision,
        extract(epoch FROM schedules.next_fire_at)::bigint AS next_fire,
        extract(epoch FROM schedules.last_tick_at)::bigint AS last_tick,
        schedules.last_job_id::text AS last_job_id, schedules.created_by,
        to_char(schedules.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS created,
        to_char(schedules.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS updated
        """

    static func schedule(_ row: PostgresRow) throws -> Schedule {
        let table = "schedules"
        let overlap = try row.text("overlap", table: table)
        let missed = try row.text("missed", table: table)
        guard let overlapPolicy = OverlapPolicy(rawValue: overlap), let missedPolicy = MissedTickPolicy(rawValue: missed)
        else {
            throw PostgresError(.malformedRow, "schedules: overlap '\(overlap)' or missed '\(missed)' is unknown")
        }
        return Schedule(
            id: try row.text("id", table: table), tenant: try row.text("tenant", table: table), name: row["name"],
            cron: try row.text("cron", table: table), timeZone: try row.text("time_zone", table: table),
            job: try row.json("job", table: table), overlap: overlapPolicy, missed: missedPolicy,
            paused: try row.bool("paused", table: table), revision: try row.int("revision", table: table),
            nextFire: row["next_fire"].flatMap { Int64($0) }, lastTick: row["last_tick"].flatMap { Int64($0) },
            lastJobID: row["last_job_id"], createdBy: try row.text("created_by", table: table),
            createdAt: try row.text("created", table: table), updatedAt: try row.text("updated", table: table))
    }
}
