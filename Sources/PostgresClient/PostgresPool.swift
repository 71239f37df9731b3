/// A fixed number of PostgreSQL connections, each leased to one caller at a time.
///
/// A libpq session runs one command at a time and carries state (a transaction, the search path),
/// so sharing one between callers would interleave their statements. The pool hands each caller a
/// connection of its own for the length of a closure instead, caps how many sessions the service
/// holds on the server, and opens them only when first needed so an idle service costs nothing.
/// Callers beyond the cap wait their turn in order, suspended rather than polling.
public actor PostgresPool {
    /// The most connections the pool opens at once.
    public let maxConnections: Int
    private let url: String
    private let searchPath: String?
    private var idle: [PostgresConnection] = []
    /// Connections open, leased or being opened: never above `maxConnections`.
    private var openCount = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID: UInt64 = 0
    private var closed = false

    /// What a waiter is woken with: a connection someone returned, or room to open a new one
    /// (when an open failed or a broken connection was dropped).
    private enum Grant: Sendable {
        case connection(PostgresConnection)
        case openSlot
    }

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Grant, any Error>
    }

    /// Creates the pool without connecting; a bad URL shows up on the first `withConnection`.
    ///
    /// - Parameters:
    ///   - url: a libpq connection URI, as for `PostgresConnection.connect(url:searchPath:)`.
    ///   - searchPath: applied to every connection the pool opens.
    ///   - maxConnections: the cap on concurrent sessions; at least 1.
    public init(url: String, searchPath: String? = nil, maxConnections: Int = 4) {
        precondition(maxConnections > 0, "a pool needs at least one connection")
        self.url = url
        self.searchPath = searchPath
        self.maxConnections = maxConnections
    }

    /// Leases a connection for the duration of `body`, waiting in line if all are in use.
    ///
    /// The connection is the caller's alone until `body` returns or throws, so it may run several
    /// statements or a transaction without another caller's statements in between. Do not keep it
    /// after `body` ends. Throws `.closed` once the pool is closed, `.connectionFailed` if a new
    /// connection cannot be opened, and `CancellationError` if the task is cancelled while waiting.
    public func withConnection<T: Sendable>(
        isolation: isolated (any Actor)? = #isolation,
        _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        let connection = try await acquire()
        let value: T
        do {
            value = try await body(connection)
        } catch {
            await release(connection)
            throw error
        }
        await release(connection)
        return value
    }

    /// Closes idle connections now and leased ones as they come back; waiting callers get `.closed`.
    public func close() async {
        guard !closed else { return }
        closed = true
        let pending = waiters
        waiters = []
        for waiter in pending {
            waiter.continuation.resume(throwing: PostgresError(.closed, "the pool was closed"))
        }
        let connections = idle
        idle = []
        openCount -= connections.count
        for connection in connections {
            await connection.close()
        }
    }

    private func acquire() async throws -> PostgresConnection {
        guard !closed else { throw PostgresError(.closed, "the pool is closed") }
        if let connection = idle.popLast() { return connection }
        if openCount < maxConnections {
            openCount += 1
            return try await openReserved()
        }
        let id = nextWaiterID
        nextWaiterID += 1
        let grant: Grant = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Grant, any Error>) in
                // Cancelled before it could wait: the cancellation handler found no waiter to remove.
                if Task.isCancelled {
                    continuation.resume(throwing: CancellationError())
                } else {
                    waiters.append(Waiter(id: id, continuation: continuation))
                }
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
        switch grant {
        case .connection(let connection): return connection
        case .openSlot: return try await openReserved()
        }
    }

    /// Opens a connection into a slot already counted in `openCount`, giving the slot back on failure.
    private func openReserved() async throws -> PostgresConnection {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                url: url, searchPath: searchPath, threadName: "velocity-postgres-pool")
        } catch {
            slotFreed()
            throw error
        }
        if closed {
            slotFreed()
            await connection.close()
            throw PostgresError(.closed, "the pool was closed")
        }
        return connection
    }

    private func release(_ connection: PostgresConnection) async {
        if closed || connection.isClosed {
            slotFreed()
            await connection.close()
        } else if !waiters.isEmpty {
            waiters.removeFirst().continuation.resume(returning: .connection(connection))
        } else {
            idle.append(connection)
        }
    }

    /// A connection is gone for good: let the first waiter open a replacement, or nobody would
    /// ever wake it when no other connection is left to return.
    private func slotFreed() {
        openCount -= 1
        if !closed, !waiters.isEmpty {
            openCount += 1
            waiters.removeFirst().continuation.resume(returning: .openSlot)
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        waiters.remove(at: index).continuation.resume(throwing: CancellationError())
    }
}
