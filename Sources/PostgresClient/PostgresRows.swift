/// The result of one statement, copied out of libpq so it outlives `PQclear` and can cross actors.
///
/// Values stay in PostgreSQL's text format: the caller knows the column types and parses what it
/// needs, which keeps this type small and the copy out of libpq cheap.
public struct PostgresRows: Sendable, RandomAccessCollection {
    /// Column names in select-list order.
    public let columns: [String]
    /// Every row's values in column order; `nil` is SQL NULL.
    public let rows: [[String?]]
    /// Rows inserted, updated, deleted, copied or selected, as the command tag reports them.
    public let affectedRows: Int
    /// Column name to position, built once per result so by-name access is a hash lookup.
    private let positions: [String: Int]

    public init(columns: [String], rows: [[String?]], affectedRows: Int) {
        self.columns = columns
        self.rows = rows
        self.affectedRows = affectedRows
        var positions: [String: Int] = [:]
        positions.reserveCapacity(columns.count)
        for (index, name) in columns.enumerated() where positions[name] == nil {
            positions[name] = index
        }
        self.positions = positions
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { rows.count }

    /// One row with by-name access: `result[0]["id"]`.
    public subscript(position: Int) -> PostgresRow {
        PostgresRow(values: rows[position], positions: positions)
    }

    /// The position of a column, or `nil` when the result has no such column.
    /// With duplicate names (`SELECT a.id, b.id`) the first wins; alias them to reach the others.
    public func columnIndex(_ name: String) -> Int? { positions[name] }

    /// The value at `row` in the named column; `nil` for NULL or an unknown column.
    public func value(row: Int, column: String) -> String? {
        guard let index = positions[column] else { return nil }
        return rows[row][index]
    }
}

/// One row of a `PostgresRows`, readable by column name or position.
public struct PostgresRow: Sendable {
    /// The row's values in column order; `nil` is SQL NULL.
    public let values: [String?]
    private let positions: [String: Int]

    init(values: [String?], positions: [String: Int]) {
        self.values = values
        self.positions = positions
    }

    /// The named column's value; `nil` for NULL or an unknown column (use `contains` to tell them apart).
    public subscript(column: String) -> String? {
        guard let index = positions[column] else { return nil }
        return values[index]
    }

    /// The value at `index` in select-list order.
    public subscript(index: Int) -> String? { values[index] }

    /// Whether the result has a column of that name, so a NULL can be told from a typo.
    public func contains(column: String) -> Bool { positions[column] != nil }
}
