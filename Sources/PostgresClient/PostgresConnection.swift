import VelocityTypes
import CLibpq
import Synchronization

/// One PostgreSQL session over libpq's synchronous API.
///
/// libpq blocks the calling thread for every round trip, so the actor runs on a thread of its own
/// (`DedicatedThreadExecutor`): isolated methods never occupy a thread of Swift's cooperative pool,
/// and the session's state is only ever touched from that one thread. Values go to the server as
/// parameters (`$1`, `$2`…) and never into the SQL text, so no value can change a statement.
public actor PostgresConnection {
    /// The `PGconn` pointer, wrapped so `deinit` may free it. The actor's isolation is what makes
    /// this sound: the pointer is only used on the actor's thread, or in `deinit` after the last use.
    struct Handle: @unchecked Sendable {
        let pointer: OpaquePointer
    }

    private let executor: DedicatedThreadExecutor
    /// `nil` once closed; every later call then fails with `.closed`.
    var handle: Handle?
    /// How many `withTransaction` calls are running; a broken session is not silently reset
    /// inside a transaction, because the work done so far was lost with it.
    var transactionDepth = 0
    /// Makes `close()` idempotent from any context, without a hop to a thread that may be gone.
    private let closeStarted = Mutex(false)

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    private init(threadName: String) {
        executor = DedicatedThreadExecutor(name: threadName)
    }

    deinit {
        if let handle { PQfinish(handle.pointer) }
        executor.shutdown()
    }

    /// Opens a session, failing with `.connectionFailed` and libpq's reason when it cannot.
    ///
    /// - Parameters:
    ///   - url: a libpq connection URI or conninfo string, such as
    ///     `postgresql://velocity@127.0.0.1:15440/velocity`.
    ///   - searchPath: when given, set as the session's `search_path` while connecting (so it also
    ///     survives a reset); tests use it to work in a schema of their own. It replaces any
    ///     `options` in `url`.
    ///   - threadName: the name of the connection's `Thread`, to tell connections apart when debugging.
    public static func connect(
        url: String, searchPath: String? = nil, threadName: String = "velocity-postgres"
    ) async throws -> PostgresConnection {
        let connection = PostgresConnection(threadName: threadName)
        do {
            try await connection.open(url: url, searchPath: searchPath)
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    private func open(url: String, searchPath: String?) throws {
        // Processed in order, later entries overriding earlier ones: the URL may change the
        // encoding, and an explicit search path beats the URL's options.
        var parameters = [("client_encoding", "UTF8"), ("dbname", url)]
        if let searchPath {
            parameters.append(("options", "-c search_path=" + Self.escapeOptionValue(searchPath)))
        }
        let conn = Self.withCStringArray(parameters.map(\.0)) { keywords in
            Self.withCStringArray(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 1)
            }
        }
        guard let conn else {
            throw PostgresError(.connectionFailed, "libpq could not allocate a connection")
        }
        guard PQstatus(conn) == CONNECTION_OK else {
            let reason = Self.errorMessage(conn)
            PQfinish(conn)
            throw PostgresError(.connectionFailed, reason)
        }
        // The default processor prints every NOTICE (`IF NOT EXISTS … skipping`) to stderr.
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        handle = Handle(pointer: conn)
    }

    /// Runs one statement with its values sent separately as text parameters (`$1`, `$2`…),
    /// so quotes, backslashes or SQL in a value are data, never syntax.
    ///
    /// A unique-key conflict throws `.uniqueViolation`; other server errors `.queryFailed`,
    /// both with the server's SQLSTATE.
    @discardableResult
    public func query(_ sql: String, _ params: [String?] = []) throws -> PostgresRows {
        let conn = try liveConnection()
        let result = try Self.withParameterPointers(params) { pointers in
            PQexecParams(conn, sql, Int32(params.count), nil, pointers, nil, nil, 0)
        }
        return try collect(result, conn, code: .queryFailed)
    }

    /// Runs parameterless SQL that may hold several statements (one round trip, one implicit
    /// transaction unless inside `withTransaction`). Meant for migrations: values belong in `query`.
    public func execute(_ sql: String) throws {
        let conn = try liveConnection()
        _ = try collect(PQexec(conn, sql), conn, code: .queryFailed)
    }

    /// Ends the session and stops the connection's thread.
    ///
    /// Safe to call more than once and from anywhere. No other call may follow the first one:
    /// the thread that would run it is gone.
    public nonisolated func close() async {
        let first = closeStarted.withLock { started in
            defer { started = true }
            return !started
        }
        guard first else { return }
        await finish()
        executor.shutdown()
    }

    /// Whether `close()` was called; the pool drops such a connection instead of reusing it.
    nonisolated var isClosed: Bool { closeStarted.withLock { $0 } }

    private func finish() {
        if let handle { PQfinish(handle.pointer) }
        handle = nil
    }

    /// The session, reset once if it broke since the last call.
    ///
    /// libpq only notices a dead socket when a call fails, so the call that finds it fails, and the
    /// next one reconnects with the same parameters (search path included). No statement is ever
    /// retried here: it may have run before the connection broke.
    func liveConnection() throws -> OpaquePointer {
        guard let conn = handle?.pointer else {
            throw PostgresError(.closed, "the connection is closed")
        }
        if PQstatus(conn) == CONNECTION_OK { return conn }
        guard transactionDepth == 0 else {
            throw PostgresError(.connectionFailed, "the connection broke inside a transaction, which is lost")
        }
        PQreset(conn)
        guard PQstatus(conn) == CONNECTION_OK else {
            throw PostgresError(.connectionFailed, "the connection broke and could not be reset: \(Self.errorMessage(conn))")
        }
        PQsetNoticeProcessor(conn, { _, _ in }, nil)
        return conn
    }

    /// Turns a command's results into rows or an error, reading every pending result so the
    /// session is ready for the next command whatever happened (even a stray `COPY`).
    func collect(_ first: OpaquePointer?, _ conn: OpaquePointer, code: VelocityErrorCode) throws -> PostgresRows {
        guard let first else {
            // No result at all: out of memory, or the command could not even be sent.
            let code: VelocityErrorCode = PQstatus(conn) == CONNECTION_OK ? code : .connectionFailed
            throw PostgresError(code, Self.errorMessage(conn))
        }
        var rows: PostgresRows?
        var error: PostgresError?
        var next: OpaquePointer? = first
        while let result = next {
            let status = PQresultStatus(result)
            switch status {
            case PGRES_TUPLES_OK, PGRES_COMMAND_OK, PGRES_EMPTY_QUERY:
                rows = Self.copyRows(result)
            case PGRES_COPY_IN:
                PQputCopyEnd(conn, "COPY FROM STDIN must go through copyIn")
                error = error ?? PostgresError(code, "COPY FROM STDIN must go through copyIn(_:rows:)")
            case PGRES_COPY_OUT, PGRES_COPY_BOTH:
                Self.discardCopyOut(conn)
                error = error ?? PostgresError(code, "COPY TO STDOUT is not supported")
            default:
                error = error ?? Self.serverError(result, conn, code: code)
            }
            PQclear(result)
            next = PQstatus(conn) == CONNECTION_OK ? PQgetResult(conn) : nil
        }
        if let error { throw error }
        return rows ?? PostgresRows(columns: [], rows: [], affectedRows: 0)
    }
}
