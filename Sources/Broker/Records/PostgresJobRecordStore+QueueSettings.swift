import Foundation
import PostgresClient

/// The `queue_settings` table: one row per queue an operator changed.
extension PostgresJobRecordStore {
    public func queueSettings() async throws -> [String: QueueSettings] {
        let result = try await pool.withConnection { connection in
            try await connection.query("SELECT queue, limits::text, paused FROM queue_settings")
        }
        var settings: [String: QueueSettings] = [:]
        for row in result.rows {
            guard row.count == 3, let queue = row[0] else {
                throw BrokerError(.malformedReply, "queue settings came back as \(row)", field: "queue_settings")
            }
            var limits: QueueLimits?
            if let text = row[1] {
                do {
                    limits = try JSONDecoder().decode(QueueLimits.self, from: Data(text.utf8))
                } catch {
                    throw BrokerError(
                        .malformedReply, "queue_settings.limits of queue \(queue) is not a set of limits: \(error)",
                        field: "queue_settings.limits")
                }
            }
            settings[queue] = QueueSettings(limits: limits, paused: row[2].map { $0 == "t" })
        }
        return settings
    }

    public func recordLimits(queue: String, _ limits: QueueLimits) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(limits), as: UTF8.self)
        try await pool.withConnection { connection in
            _ = try await connection.query(
                """
                INSERT INTO queue_settings (queue, limits) VALUES ($1, $2::jsonb)
                ON CONFLICT (queue) DO UPDATE SET limits = EXCLUDED.limits, updated_at = now()
                """, [queue, text])
        }
    }

    public func recordPaused(queue: String, _ paused: Bool) async throws {
        try await pool.withConnection { connection in
            _ = try await connection.query(
                """
                INSERT INTO queue_settings (queue, paused) VALUES ($1, $2::boolean)
                ON CONFLICT (queue) DO UPDATE SET paused = EXCLUDED.paused, updated_at = now()
                """, [queue, paused ? "true" : "false"])
        }
    }
}
