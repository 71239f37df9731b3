import PostgresClient
import VelocityTypes
import Testing

/// Records which connections are leased at any moment, to catch two callers sharing one.
actor LeaseTracker {
    private var leased: Set<ObjectIdentifier> = []
    private(set) var seen: Set<ObjectIdentifier> = []
    private(set) var mostAtOnce = 0
    private(set) var overlaps = 0

    func begin(_ connection: PostgresConnection) {
        let id = ObjectIdentifier(connection)
        if !leased.insert(id).inserted { overlaps += 1 }
        seen.insert(id)
        mostAtOnce = max(mostAtOnce, leased.count)
    }

    func end(_ connection: PostgresConnection) {
        leased.remove(ObjectIdentifier(connection))
    }
}

@Suite struct PostgresPoolTests {
    @Test func leasesAreExclusiveWithMoreCallersThanConnections() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)")
            }
            let pool = schema.pool(maxConnections: 3)
            let tracker = LeaseTracker()
            let callers = 24
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<callers {
                    group.addTask {
                        try await pool.withConnection { connection in
                            await tracker.begin(connection)
                            // Read, then write back a separate statement later: only exclusive
                            // use of the session (and its transaction) keeps the count right.
                            try await connection.execute("BEGIN")
                            let n = try await connection.query("SELECT n FROM counter FOR UPDATE")[0]["n"]!
                            await Task.yield()
                            try await connection.query("UPDATE counter SET n = $1::int", [String(Int(n)! + 1)])
                            try await connection.execute("COMMIT")
                            await tracker.end(connection)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await pool.withConnection { try await $0.query("SELECT n FROM counter")[0]["n"] }
            #expect(final == String(callers))
            #expect(await tracker.overlaps == 0)
            #expect(await tracker.mostAtOnce <= 3)
            #expect(await tracker.seen.count <= 3)
            await pool.close()
        }
    }

    @Test func singleConnectionServesEveryWaiterInTurn() async throws {
        try await TestSchema.with { schema in
            let pool = schema.pool(maxConnections: 1)
            let tracker = LeaseTracker()
            let pids = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await pool.withConnection { connection in
                            await tracker.begin(connection)
                            let pid = try await connection.query("SELECT pg_backend_pid() AS pid")[0]["pid"]
                            await tracker.end(connection)
                            return pid
                        }
                    }
                }
                var pids: Set<String?> = []
                for try await pid in group { pids.insert(pid) }
                return pids
            }
            #expect(pids.count == 1)
            #expect(await tracker.seen.count == 1)
            await pool.close()
        }
    }

    @Test func errorInBodyReturnsTheConnection() async throws {
        try await TestSchema.with { schema in
            let pool = schema.pool(maxConnections: 1)
            await #expect(throws: Boom.self) {
                try await pool.withConnection { _ in throw Boom() }
            }
            let one = try await pool.withConnection { try await $0.query("SELECT 1 AS one")[0]["one"] }
            #expect(one == "1")
            await pool.close()
        }
    }

    @Test func cancelledWaiterLeavesTheQueue() async throws {
        try await TestSchema.with { schema in
            let pool = schema.pool(maxConnections: 1)
            let (acquired, acquiredSignal) = AsyncStream<Void>.makeStream()
            let (release, releaseSignal) = AsyncStream<Void>.makeStream()
            let holder = Task {
                try await pool.withConnection { _ in
                    acquiredSignal.yield()
                    for await _ in release { break }
                }
            }
            for await _ in acquired { break }

            // The only connection is held until `releaseSignal`, so this caller can only wait;
            // cancelled before or while waiting, it must give up rather than take a turn later.
            let waiter = Task { try await pool.withConnection { _ in "served" } }
            waiter.cancel()
            await #expect(throws: CancellationError.self) { try await waiter.value }

            releaseSignal.yield()
            try await holder.value
            let one = try await pool.withConnection { try await $0.query("SELECT 1 AS one")[0]["one"] }
            #expect(one == "1")
            await pool.close()
        }
    }

    @Test func closedPoolRefusesCallers() async throws {
        try await TestSchema.with { schema in
            let pool = schema.pool(maxConnections: 2)
            _ = try await pool.withConnection { try await $0.query("SELECT 1") }
            await pool.close()
            let error = try await #require(throws: PostgresError.self) {
                try await pool.withConnection { try await $0.query("SELECT 1") }
            }
            #expect(error.code == .closed)
        }
    }

    @Test func failedOpensDoNotStrandWaiters() async throws {
        let pool = PostgresPool(url: "postgresql://velocity@127.0.0.1:1/velocity?connect_timeout=5", maxConnections: 1)
        let codes = try await withThrowingTaskGroup(of: VelocityErrorCode?.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    do {
                        _ = try await pool.withConnection { try await $0.query("SELECT 1") }
                        return nil
                    } catch let error as PostgresError {
                        return error.code
                    }
                }
            }
            var codes: [VelocityErrorCode?] = []
            for try await code in group { codes.append(code) }
            return codes
        }
        #expect(codes == Array(repeating: .connectionFailed, count: 5))
        await pool.close()
    }
}
