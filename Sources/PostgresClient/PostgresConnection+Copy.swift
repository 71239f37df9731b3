import CLibpq
import VelocityTypes

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
        try copy(sql) { conn in
            var encoder = PostgresCopyEncoder(reservingCapacity: Self.copyChunkSize + 4096)
            for row in rows {
                encoder.append(row)
                if encoder.buffer.count >= Self.copyChunkSize {
                    if !Self.putCopyData(conn, encoder.buffer[...]) { return false }
                    encoder.removeAll()
                }
            }
            return encoder.buffer.isEmpty || Self.putCopyData(conn, encoder.buffer[...])
        }
    }

    /// `copyIn(_:rows:)` for rows encoded beforehand (a caller that builds a large load row by
    /// row keeps the compact bytes rather than the values).
    @discardableResult
    public func copyIn(_ sql: String, encoded: PostgresCopyEncoder) throws -> Int {
        try copy(sql) { conn in
            var start = 0
            let bytes = encoded.buffer
            while start < bytes.count {
                let end = min(bytes.count, start + Self.copyChunkSize)
                if !Self.putCopyData(conn, bytes[start..<end]) { return false }
                start = end
            }
            return true
        }
    }

    /// Starts `sql` (a `COPY … FROM STDIN`), lets `send` put the data (false when a put
    /// failed), ends the COPY and returns how many rows the server stored.
    private func copy(_ sql: String, send: (OpaquePointer) -> Bool) throws -> Int {
        let conn = try liveConnection()
        guard let start = PQexec(conn, sql) else {
            throw PostgresError(PQstatus(conn) == CONNECTION_OK ? .copyFailed : .connectionFailed, Self.errorMessage(conn))
        }
        guard PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try collect(start, conn, code: .copyFailed)
            throw PostgresError(.copyFailed, "the statement did not start COPY FROM STDIN: \(sql)")
        }
        PQclear(start)

        var sendFailure = send(conn) ? nil : Self.errorMessage(conn)
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

    private static func putCopyData(_ conn: OpaquePointer, _ bytes: ArraySlice<UInt8>) -> Bool {
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
