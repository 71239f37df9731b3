public import PostgresClient
import VelocityTypes

/// Writes the audit trail of mode switches to Postgres: who asked for what, every step as it
/// starts and ends, and how the switch ended.
public struct ModeSwitchLog: Sendable {
    public let postgres: PostgresPool

    public init(postgres: PostgresPool) {
        self.postgres = postgres
    }

    /// Creates the tables if they are missing.
    public func migrate() async throws {
        try await postgres.withConnection { connection in
            _ = try await PostgresMigrator().migrate(connection, migrations: BoxMigrations.all)
        }
    }

    /// Records the start of a switch; a request seen again (an agent restarted mid-switch)
    /// keeps its first row.
    public func begin(_ request: ModeRequest, from: BoxMode?) async throws {
        try await postgres.withConnection { connection in
            _ = try await connection.query(
                """
                INSERT INTO box_mode_switches (id, box, from_mode, to_mode, requested_by, requested_at, request_reason)
                VALUES ($1, $2, $3, $4, $5, to_timestamp($6::double precision / 1000), $7)
                ON CONFLICT (id) DO NOTHING
                """,
                [
                    request.id, request.box, from?.rawValue, request.mode.rawValue, request.requestedBy,
                    String(request.requestedAtMilliseconds), request.reason,
                ])
        }
    }

    /// Appends one step event.
    public func event(switchID: String, step: ModeSwitchStep, mode: BoxMode, status: StepStatus, message: String = "")
        async throws
    {
        try await postgres.withConnection { connection in
            _ = try await connection.query(
                """
                INSERT INTO box_mode_switch_events (switch_id, seq, step, mode, status, message)
                SELECT $1, coalesce(max(seq), 0) + 1, $2, $3, $4, $5
                FROM box_mode_switch_events WHERE switch_id = $1
                """,
                [switchID, step.rawValue, mode.rawValue, status.rawValue, message])
        }
    }

    /// Records how the switch ended.
    public func finish(switchID: String, outcome: ModeSwitch.Outcome) async throws {
        let (name, mode, reason): (String, BoxMode?, String?) =
            switch outcome {
            case .switched(let to): ("switched", to, nil)
            case .rolledBack(let to, let reason): ("rolled_back", to, reason)
            case .halted(let reason): ("halted", nil, reason)
            }
        try await postgres.withConnection { connection in
            _ = try await connection.query(
                """
                UPDATE box_mode_switches SET finished_at = now(), outcome = $2, final_mode = $3, reason = $4
                WHERE id = $1
                """,
                [switchID, name, mode?.rawValue, reason])
        }
    }

    /// The events of one switch, in order.
    public func events(switchID: String) async throws -> [Event] {
        try await postgres.withConnection { connection in
            let rows = try await connection.query(
                "SELECT step, mode, status, message FROM box_mode_switch_events WHERE switch_id = $1 ORDER BY seq",
                [switchID])
            return rows.map { row in
                Event(
                    step: ModeSwitchStep(rawValue: row["step"] ?? "") ?? .consume,
                    mode: BoxMode(rawValue: row["mode"] ?? "") ?? .media,
                    status: StepStatus(rawValue: row["status"] ?? "") ?? .failed,
                    message: row["message"] ?? "")
            }
        }
    }

    public enum StepStatus: String, Sendable, Codable {
        case started, succeeded, failed
    }

    public struct Event: Sendable, Equatable {
        public var step: ModeSwitchStep
        public var mode: BoxMode
        public var status: StepStatus
        public var message: String
    }
}
