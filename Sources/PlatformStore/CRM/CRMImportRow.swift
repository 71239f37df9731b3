public import VelocityTypes

/// An `ImportRowRecord`: one source row as parsed, with its raw cells and what was wrong with it.
public struct CRMImportRow: Sendable, Equatable {
    /// 1-based data row (the header is row 0).
    public var number: Int
    /// The physical line the row starts on (quoted newlines make rows span lines).
    public var line: Int
    /// The cells exactly as parsed: unescaped, untrimmed.
    public var cells: [String]
    /// `[{"code", "message", "column"?}]` of parse and normalization issues; nil for a clean row.
    public var issues: JSONValue?

    public init(number: Int, line: Int, cells: [String], issues: JSONValue?) {
        self.number = number
        self.line = line
        self.cells = cells
        self.issues = issues
    }
}
