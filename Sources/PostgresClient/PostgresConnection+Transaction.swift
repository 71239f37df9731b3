import CLibpq

extension PostgresConnection {
    /// Runs `body` in a transaction: committed if it returns, rolled back if it throws.
    ///
    /// `body` runs synchronously on the connection's thread with the connection isolated, so no
    /// other caller's statement can slip into the transaction. Nested calls become savepoints, so
    /// an inner failure undoes only the inner work. If a statement failed inside `body` and the
    /// error was swallowed, the server has already aborted the transaction: it is rolled back and
    /// `.queryFailed` thrown, rather than reporting a commit that did not happen.
    ///
    /// `body` is `@Sendable` because it crosses from the caller's isolation into the connection's:
    /// Swift 6 rejects a non-Sendable closure with an `isolated` parameter there. Capture values
    /// and return results rather than mutating captured state.
    public func withTransaction<T: Sendable>(_ body: @Sendable (isolated PostgresConnection) throws -> T) throws -> T {
        let depth = transactionDepth
        let savepoint = "velocity_savepoint_\(depth)"
        try execute(depth == 0 ? "BEGIN" : "SAVEPOINT \(savepoint)")
        transactionDepth += 1
        defer { transactionDepth -= 1 }

        let value: T
        do {
            value = try body(self)
        } catch {
            // The original error matters more than a failed rollback (which a broken session explains).
            try? execute(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
            throw error
        }

        if let handle, PQtransactionStatus(handle.pointer) == PQTRANS_INERROR {
            try? execute(depth == 0 ? "ROLLBACK" : "ROLLBACK TO SAVEPOINT \(savepoint); RELEASE SAVEPOINT \(savepoint)")
            throw PostgresError(.queryFailed, "a statement failed inside the transaction, so it was rolled back")
        }
        try execute(depth == 0 ? "COMMIT" : "RELEASE SAVEPOINT \(savepoint)")
        return value
    }
}
