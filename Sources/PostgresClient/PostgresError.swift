public import VelocityTypes

/// An error from the PostgreSQL client: connecting, a statement, a COPY or a migration.
///
/// Callers branch on `code` (stable across releases) and, for server errors, on `sqlState`,
/// which is the server's own classification; `message` is for people and logs only.
public struct PostgresError: Error, CustomStringConvertible {
    public var code: VelocityErrorCode
    public var message: String
    /// The five-character SQLSTATE the server reported (`23505`, `42601`…), when it reported one.
    public var sqlState: String?
    /// The underlying error when this one wraps another (a failed migration wraps the statement's error).
    public var cause: (any Error)?

    public init(_ code: VelocityErrorCode, _ message: String, sqlState: String? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.cause = cause
    }

    /// Text the server cannot store (a NUL), which the caller sent: a client's mistake, not
    /// the database's (`22P05` untranslatable character, `22021` not in the encoding).
    public var isUnstorableText: Bool {
        code == .unstorableText || sqlState == "22P05" || sqlState == "22021"
    }

    public var description: String {
        var text = "postgres \(code)"
        if let sqlState { text += " [\(sqlState)]" }
        text += ": \(message)"
        if let cause { text += " (cause: \(cause))" }
        return text
    }
}

extension VelocityErrorCode {
    /// The server could not be reached or refused the session, or the session broke and could not be reset.
    public static let connectionFailed: Self = "postgres_connection_failed"
    /// The server rejected a statement (syntax, missing table, constraint other than unique…).
    public static let queryFailed: Self = "postgres_query_failed"
    /// Text PostgreSQL cannot hold: a NUL in a text parameter, or `\u0000` in JSON for jsonb.
    public static let unstorableText: Self = "postgres_unstorable_text"
    /// A unique or primary-key constraint rejected a row (SQLSTATE 23505); often an expected outcome.
    public static let uniqueViolation: Self = "postgres_unique_violation"
    /// The connection or pool was closed before the call.
    public static let closed: Self = "postgres_closed"
    /// A `COPY … FROM STDIN` could not be started, streamed or finished.
    public static let copyFailed: Self = "postgres_copy_failed"
    /// A migration failed, or the recorded migrations disagree with the ones given.
    public static let migrationFailed: Self = "postgres_migration_failed"
}
