/// The sizes an import accepts. The scanner refuses a file over `maxRows` or `maxColumns`; the
/// parser keeps at most `maxCellBytes` of a cell and `maxColumns` cells of a row, so that one
/// broken row (an unclosed quote swallowing the rest of the file) cannot exhaust memory.
public struct CSVLimits: Sendable, Codable, Equatable, Hashable {
    /// Data rows (the header not counted).
    public var maxRows: Int
    /// UTF-8 bytes kept of one cell; longer cells are cut and reported as `cell_too_long`.
    public var maxCellBytes: Int
    /// Columns of the header, and cells kept of a row.
    public var maxColumns: Int

    public init(maxRows: Int, maxCellBytes: Int = 32_768, maxColumns: Int = 512) {
        self.maxRows = maxRows
        self.maxCellBytes = max(maxCellBytes, 4)
        self.maxColumns = max(maxColumns, 1)
    }
}
