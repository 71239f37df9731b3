public import VelocityTypes

extension PostgresRow {
    /// The named column's text; throws `.malformedRow` naming `table.column` for a NULL or a
    /// column the result lacks, so a schema drift surfaces at the first read instead of a default.
    public func text(_ column: String, table: String) throws -> String {
        guard let value = self[column] else {
            throw PostgresError(.malformedRow, "\(table).\(column) is NULL or missing")
        }
        return value
    }

    /// The named integer column (`int`, `bigint`).
    public func int(_ column: String, table: String) throws -> Int {
        let value = try text(column, table: table)
        guard let number = Int(value) else {
            throw PostgresError(.malformedRow, "\(table).\(column) is '\(value)', not an integer")
        }
        return number
    }

    /// The named floating-point column.
    public func double(_ column: String, table: String) throws -> Double {
        let value = try text(column, table: table)
        guard let number = Double(value) else {
            throw PostgresError(.malformedRow, "\(table).\(column) is '\(value)', not a number")
        }
        return number
    }

    /// The named boolean column (`t` or `f` in the text format).
    public func bool(_ column: String, table: String) throws -> Bool {
        switch try text(column, table: table) {
        case "t": return true
        case "f": return false
        case let value: throw PostgresError(.malformedRow, "\(table).\(column) is '\(value)', not a boolean")
        }
    }

    /// The named `json`/`jsonb` column, parsed.
    public func json(_ column: String, table: String) throws -> JSONValue {
        let value = try text(column, table: table)
        guard let parsed = JSONValue(parsing: value) else {
            throw PostgresError(.malformedRow, "\(table).\(column) is not JSON")
        }
        return parsed
    }

    /// The named nullable `json`/`jsonb` column: nil for NULL.
    public func optionalJSON(_ column: String, table: String) throws -> JSONValue? {
        guard self[column] != nil else { return nil }
        return try json(column, table: table)
    }
}

extension VelocityErrorCode {
    /// A row did not have the shape its reader expects (a NULL in a NOT NULL column, text where a
    /// number belongs).
    public static let malformedRow: Self = "postgres_malformed_row"
}
