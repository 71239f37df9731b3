import VelocityTypes
import CLibpq

extension PostgresConnection {
    /// How many encoded bytes are buffered before they go to libpq: large enough that a bulk
    /// load is a few hundred calls rather than one per row, small enough to stay cache-friendly.
    static let copyChunkSize = 64 * 1024

    /// Loads rows with `COPY … FROM STDIN` in text format, returning how many the server stored.
    ///
    /// Much faster than one `INSERT` per row for bulk loads. `sql` names the table and columns,
    /// for example `COPY jobs (id, payload) FROM STDIN`; each row gives one value per column,
    /// `nil` for NULL. Values are escaped for COPY's text format, so any string round-trips.
    /// A rejected row fails the whole COPY (nothing is stored) with `.copyFailed`, or
    /// `.uniqueViolation` for a key conflict, carrying the server's SQLSTATE.
    @discardableResult
    public func copyIn(_ sql: String, rows: [[String?]]) throws -> Int {
        let conn = try liveConnection()
        guard let start = PQexec(conn, sql) else {
            throw PostgresError(PQstatus(conn) == CONNECTION_OK ? .copyFailed : .connectionFailed, Self.errorMessage(conn))
        }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try collect(start, conn, code: .copyFailed)
            throw PostgresError(.copyFailed, "the statement did not start COPY FROM STDIN: \(sql)")
        }
        PQclear(start)

        var encoder = PostgresCopyEncoder(reservingCapacity: Self.copyChunkSize + 4096)
        var sendFailure: String?
        for row in rows {
            encoder.append(row)
            if encoder.buffer.count >= Self.copyChunkSize {
                if !Self.putCopyData(conn, encoder.buffer) {
                    sendFailure = Self.errorMessage(conn)
                    break
                }
                encoder.removeAll()
            }
        }
        if sendFailure == nil, !encoder.buffer.isEmpty, !Self.putCopyData(conn, encoder.buffer) {
            sendFailure = Self.errorMessage(conn)
        }

        // Ending the COPY with an error message makes the server discard what it received.
        let ended = PQputCopyEnd(conn, sendFailure == nil ? nil : "client failed to send COPY data")
        if ended != 1 && sendFailure == nil { sendFailure = Self.errorMessage(conn) }
        let outcome = Result { try collect(PQgetResult(conn), conn, code: .copyFailed) }
        if let sendFailure {
            let code: VelocityErrorCode = PQstatus(conn) == CONNECTION_OK ? .copyFailed : .connectionFailed
            throw PostgresError(code, "sending COPY data failed: \(sendFailure)", cause: outcome.failure)
        }
        return try outcome.get().affectedRows
    }

    private static func putCopyData(_ conn: OpaquePointer, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            PQputCopyData(conn, raw.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(raw.count)) == 1
        }
    }
}

extension Result {
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
