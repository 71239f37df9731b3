import Foundation
import PostgresClient
import VelocityTypes

extension SyntheticJobStore {
    /// The columns of a job, in the order `job(_:)` decodes them.
    static let columns = """
        id::text, tenant_id, template_id, schema::text, count, examples::text, temperature, created_by,
        (extract(epoch FROM created_at) * 1000)::bigint, canceled_at IS NOT NULL,
        (extract(epoch FROM expires_at) * 1000)::bigint, (extract(epoch FROM promoted_at) * 1000)::bigint,
        promoted_priority
        """
    static let columnCount = 13

    /// Decodes a `columns` row; a row of another shape throws naming the column.
    static func job(_ row: [String?]) throws -> SyntheticJob {
        guard let schema = JSONValue(parsing: try text(row, 3, "schema")) else {
            throw malformed("schema", "is not JSON")
        }
        guard case .array(let examples)? = JSONValue(parsing: try text(row, 5, "examples")) else {
            throw malformed("examples", "is not a JSON array")
        }
        guard let temperature = Double(try text(row, 6, "temperature")) else {
            throw malformed("temperature", "is not a number")
        }
        let created = try int(row, 8, "created_at")
        let expires = try optionalInt(row, 10, "expires_at")
        return SyntheticJob(
            id: try text(row, 0, "id"), tenant: try text(row, 1, "tenant_id"), templateID: try text(row, 2, "template_id"),
            schema: schema, count: try int(row, 4, "count"), examples: examples, temperature: temperature,
            createdBy: try text(row, 7, "created_by"), createdMilliseconds: created,
            canceled: try text(row, 9, "canceled_at") == "t",
            completionWindowSeconds: expires.map { ($0 - created + 500) / 1000 } ?? 0, expiresMilliseconds: expires,
            promotedMilliseconds: try optionalInt(row, 11, "promoted_at"),
            promotedPriority: try optionalInt(row, 12, "promoted_priority"))
    }

    static func optionalInt(_ row: [String?], _ index: Int, _ column: String) throws -> Int? {
        guard index < row.count else { throw malformed(column, "is missing") }
        guard let value = row[index] else { return nil }
        guard let number = Int(value) else { throw malformed(column, "is '\(value)', not an integer") }
        return number
    }

    static func text(_ row: [String?], _ index: Int, _ column: String) throws -> String {
        guard index < row.count, let value = row[index] else { throw malformed(column, "is NULL or missing") }
        return value
    }

    static func int(_ row: [String?], _ index: Int, _ column: String) throws -> Int {
        let value = try text(row, index, column)
        guard let number = Int(value) else { throw malformed(column, "is '\(value)', not an integer") }
        return number
    }

    static func malformed(_ column: String, _ reason: String) -> PostgresError {
        PostgresError(.queryFailed, "oracle_synthetic_jobs.\(column) \(reason)")
    }

    static func isUUID(_ text: String) -> Bool {
        // Postgres would refuse anything else with an error; an unknown id is a 404, not a 500.
        UUID(uuidString: text) != nil
    }
}
