import CLibpq
import Foundation
import VelocityTypes

/// Conversions between Swift values and libpq's C structures, kept apart from the connection's
/// logic. Everything libpq hands back is copied into Swift values before the result is cleared.
extension PostgresConnection {
    /// Lays every parameter out in one buffer, NUL-terminated, and passes libpq an array of
    /// pointers into it (`nil` for SQL NULL): one allocation per call rather than one per value.
    static func withParameterPointers<R>(
        _ params: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> R
    ) throws -> R {
        if params.isEmpty { return body(nil) }
        var storage: [UInt8] = []
        storage.reserveCapacity(params.reduce(0) { $0 + ($1?.utf8.count ?? 0) + 1 })
        var offsets: [Int?] = []
        offsets.reserveCapacity(params.count)
        for (index, param) in params.enumerated() {
            guard let param else {
                offsets.append(nil)
                continue
            }
            // Text parameters are C strings: a NUL would silently cut the value short.
            if param.utf8.contains(0) {
                throw PostgresError(
                    .unstorableText, "parameter $\(index + 1) contains a NUL byte, which PostgreSQL text cannot hold")
            }
            offsets.append(storage.count)
            storage.append(contentsOf: param.utf8)
            storage.append(0)
        }
        return storage.withUnsafeBytes { bytes in
            let pointers: [UnsafePointer<CChar>?] = offsets.map { offset in
                offset.map { (bytes.baseAddress! + $0).assumingMemoryBound(to: CChar.self) }
            }
            return pointers.withUnsafeBufferPointer { body($0.baseAddress) }
        }
    }

    /// A NULL-terminated array of C strings, as `PQconnectdbParams` takes its keywords and values.
    static func withCStringArray<R>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R) -> R {
        let copies = strings.map { strdup($0) }
        defer { copies.forEach { free($0) } }
        let pointers: [UnsafePointer<CChar>?] = copies.map { $0.map { UnsafePointer($0) } } + [nil]
        return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// The `options` conninfo value splits on spaces; a backslash keeps one literal.
    static func escapeOptionValue(_ value: String) -> String {
        var escaped = ""
        for character in value {
            if character == " " || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// libpq's last error for the session, without its trailing newline.
    static func errorMessage(_ conn: OpaquePointer) -> String {
        guard let message = PQerrorMessage(conn) else { return "unknown libpq error" }
        return trimmed(String(cString: message))
    }

    static func trimmed(_ text: String) -> String {
        var text = Substring(text)
        while let last = text.last, last.isWhitespace { text.removeLast() }
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        return String(text)
    }

    /// Copies a result's columns and values into Swift; the result may be cleared afterwards.
    static func copyRows(_ result: OpaquePointer) -> PostgresRows {
        let fieldCount = PQnfields(result)
        let tupleCount = PQntuples(result)
        var columns: [String] = []
        columns.reserveCapacity(Int(fieldCount))
        for field in 0..<fieldCount {
            columns.append(PQfname(result, field).map { String(cString: $0) } ?? "")
        }
        var rows: [[String?]] = []
        rows.reserveCapacity(Int(tupleCount))
        for tuple in 0..<tupleCount {
            var row: [String?] = []
            row.reserveCapacity(Int(fieldCount))
            for field in 0..<fieldCount {
                if PQgetisnull(result, tuple, field) != 0 {
                    row.append(nil)
                } else {
                    let bytes = UnsafeRawBufferPointer(
                        start: PQgetvalue(result, tuple, field), count: Int(PQgetlength(result, tuple, field)))
                    row.append(String(decoding: bytes, as: UTF8.self))
                }
            }
            rows.append(row)
        }
        return PostgresRows(columns: columns, rows: rows, affectedRows: affectedRows(result))
    }

    /// The row count from the command tag (`INSERT 0 3`, `COPY 10000`, `SELECT 5`); 0 when it has none.
    static func affectedRows(_ result: OpaquePointer) -> Int {
        guard let tuples = PQcmdTuples(result) else { return 0 }
        return Int(String(cString: tuples)) ?? 0
    }

    /// The server's error as a `PostgresError`: unique violations get their own code so callers
    /// can treat "already exists" as an outcome, and a broken session reads as a connection failure.
    static func serverError(_ result: OpaquePointer, _ conn: OpaquePointer, code: VelocityErrorCode) -> PostgresError {
        let sqlState = errorField(result, "C")
        var message =
            errorField(result, "M")
            ?? PQresultErrorMessage(result).map { trimmed(String(cString: $0)) }
            ?? ""
        if message.isEmpty { message = errorMessage(conn) }
        if let detail = errorField(result, "D") { message += " (\(detail))" }
        let resolved: VelocityErrorCode
        if PQstatus(conn) != CONNECTION_OK {
            resolved = .connectionFailed
        } else if sqlState == "23505" {
            resolved = .uniqueViolation
        } else {
            resolved = code
        }
        return PostgresError(resolved, message, sqlState: sqlState)
    }

    /// One field of an error result. `field` is the `PG_DIAG_*` letter (`C` for `PG_DIAG_SQLSTATE`,
    /// `M` for `PG_DIAG_MESSAGE_PRIMARY`, `D` for `PG_DIAG_MESSAGE_DETAIL`): those macros are
    /// character literals, which Swift does not import.
    static func errorField(_ result: OpaquePointer, _ field: Unicode.Scalar) -> String? {
        guard let value = PQresultErrorField(result, Int32(field.value)) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// Reads and drops a `COPY … TO STDOUT` stream so the session can move on.
    static func discardCopyOut(_ conn: OpaquePointer) {
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let length = PQgetCopyData(conn, &buffer, 0)
            if let buffer { PQfreemem(buffer) }
            if length < 0 { return }
        }
    }
}
