import Foundation
import PostgresClient
import Testing
import VelocityTypes

@Suite struct PostgresConnectionTests {
    /// Values that would break, or inject into, SQL built by concatenation.
    static let nastyValues: [String?] = [
        "plain",
        "it's \"quoted\" ''",
        "back\\slash \\N \\\\ \\t",
        "tab\there",
        "new\nline\r\nand\rreturn",
        "unicode ✓ ü 日本語 🚀",
        "'); DROP TABLE items; --",
        "$1 $2 ? :name",
        "",
        nil,
        " leading and trailing ",
    ]

    @Test func parametersRoundTripExactly() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE items (id int PRIMARY KEY, value text)")
                for (index, value) in Self.nastyValues.enumerated() {
                    let inserted = try await connection.query(
                        "INSERT INTO items (id, value) VALUES ($1::int, $2)", [String(index), value])
                    #expect(inserted.affectedRows == 1)
                }
                let rows = try await connection.query("SELECT id, value FROM items ORDER BY id")
                #expect(rows.columns == ["id", "value"])
                #expect(rows.count == Self.nastyValues.count)
                #expect(rows.map { $0["value"] } == Self.nastyValues)
                #expect(rows.map { $0["id"] } == Self.nastyValues.indices.map { String($0) })

                for value in Self.nastyValues {
                    let echoed = try await connection.query("SELECT $1::text AS echoed", [value])
                    #expect(echoed[0]["echoed"] == value)
                }
            }
        }
    }

    @Test func rowsAreReadableByNameAndPosition() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let rows = try await connection.query("SELECT 1 AS a, NULL::text AS b, 'x' AS c")
                #expect(rows.columns == ["a", "b", "c"])
                #expect(rows.rows == [["1", nil, "x"]])
                let row = try #require(rows.first)
                #expect(row["a"] == "1")
                #expect(row["b"] == nil)
                #expect(row.contains(column: "b"))
                #expect(!row.contains(column: "missing"))
                #expect(row[2] == "x")
                #expect(rows.value(row: 0, column: "c") == "x")
                #expect(rows.columnIndex("c") == 2)

                try await connection.execute(
                    "CREATE TABLE n (v int); INSERT INTO n SELECT generate_series(1, 5)")
                let updated = try await connection.query("UPDATE n SET v = v + 1 WHERE v > $1::int", ["2"])
                #expect(updated.affectedRows == 3)
                #expect(updated.isEmpty)
            }
        }
    }

    @Test func uniqueViolationHasItsOwnCode() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE u (id int PRIMARY KEY)")
                try await connection.query("INSERT INTO u (id) VALUES ($1::int)", ["1"])
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.query("INSERT INTO u (id) VALUES ($1::int)", ["1"])
                }
                #expect(error.code == .uniqueViolation)
                #expect(error.sqlState == "23505")
                #expect(error.message.contains("u_pkey"))
                // The session is still usable after a failed statement.
                #expect(try await connection.query("SELECT count(*) AS n FROM u")[0]["n"] == "1")
            }
        }
    }

    @Test func syntaxErrorIsAQueryFailure() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.query("SELEC 1")
                }
                #expect(error.code == .queryFailed)
                #expect(error.sqlState == "42601")
                #expect(error.message.contains("syntax error"))
                #expect(error.description.contains("42601"))
            }
        }
    }

    @Test func nulInParameterIsRejected() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.query("SELECT $1::text", ["a\u{0}b"])
                }
                #expect(error.code == .unstorableText && error.isUnstorableText)
            }
        }
    }

    /// The server's own refusal of text it cannot hold (a `\u0000` escape into jsonb, 22P05)
    /// reads as the caller's mistake too, so the gateway answers 422 rather than 500.
    @Test func nulEscapeInJSONBIsUnstorableText() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.query("SELECT $1::jsonb", [#"{"a":"x\u0000y"}"#])
                }
                #expect(error.sqlState == "22P05")
                #expect(error.isUnstorableText)
            }
        }
    }

    @Test func transactionCommitsOrRollsBack() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE t (id int PRIMARY KEY)")

                await #expect(throws: Boom.self) {
                    try await connection.withTransaction { connection in
                        try connection.query("INSERT INTO t (id) VALUES ($1::int)", ["1"])
                        throw Boom()
                    }
                }
                #expect(try await connection.query("SELECT id FROM t").isEmpty)

                let returned = try await connection.withTransaction { connection in
                    try connection.query("INSERT INTO t (id) VALUES ($1::int)", ["2"])
                    return "done"
                }
                #expect(returned == "done")
                #expect(try await connection.query("SELECT id FROM t").rows == [["2"]])
            }
        }
    }

    @Test func swallowedErrorStillRollsBack() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.withTransaction { connection in
                        try connection.query("INSERT INTO t (id) VALUES ($1::int)", ["1"])
                        _ = try? connection.query("SELEC 1")
                    }
                }
                #expect(error.code == .queryFailed)
                #expect(try await connection.query("SELECT id FROM t").isEmpty)
            }
        }
    }

    @Test func nestedTransactionRollsBackOnlyItsOwnWork() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE t (id int PRIMARY KEY)")
                try await connection.withTransaction { connection in
                    try connection.query("INSERT INTO t (id) VALUES ($1::int)", ["1"])
                    _ = try? connection.withTransaction { connection in
                        try connection.query("INSERT INTO t (id) VALUES ($1::int)", ["2"])
                        throw Boom()
                    }
                    try connection.query("INSERT INTO t (id) VALUES ($1::int)", ["3"])
                }
                #expect(try await connection.query("SELECT id FROM t ORDER BY id").rows == [["1"], ["3"]])
            }
        }
    }

    @Test func brokenSessionIsResetBeforeTheNextCall() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let before = try #require(try await connection.query("SELECT pg_backend_pid() AS pid")[0]["pid"])
                try await schema.withConnection { other in
                    // Waits (up to a minute) until the backend has actually exited.
                    let killed = try await other.query("SELECT pg_terminate_backend($1::int, 60000) AS ok", [before])
                    #expect(killed[0]["ok"] == "t")
                }
                // The call that finds the dead socket fails; it is not retried behind the caller's back.
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.query("SELECT 1")
                }
                #expect(error.code == .connectionFailed)
                // The next call reconnects, with the same search path.
                let after = try await connection.query("SELECT pg_backend_pid() AS pid, current_schema() AS schema")
                #expect(after[0]["pid"] != before)
                #expect(after[0]["schema"] == schema.name)
            }
        }
    }

    @Test func refusedConnectionIsAConnectionFailure() async throws {
        // Port 1 is privileged and unused: nothing accepts the connection.
        let error = try await #require(throws: PostgresError.self) {
            try await PostgresConnection.connect(url: "postgresql://velocity@127.0.0.1:1/velocity?connect_timeout=5")
        }
        #expect(error.code == .connectionFailed)
        #expect(!error.message.isEmpty)
    }

    /// More libpq calls blocked at once than the cooperative pool has threads: if they ran on
    /// that pool, this test's own task could not run to release them and would hang.
    @Test func blockedCallsDoNotHoldCooperativeThreads() async throws {
        try await TestSchema.with { schema in
            let key = String(Int32.random(in: 1 ... .max))
            let holder = try await schema.connect()
            try await holder.query("SELECT pg_advisory_lock($1::bigint)", [key])
            let blockedCount = ProcessInfo.processInfo.activeProcessorCount + 2
            var blocked: [PostgresConnection] = []
            for _ in 0..<blockedCount { blocked.append(try await schema.connect()) }

            try await withThrowingTaskGroup(of: Void.self) { group in
                for connection in blocked {
                    group.addTask {
                        try await connection.query("SELECT pg_advisory_lock($1::bigint)", [key])
                        try await connection.query("SELECT pg_advisory_unlock($1::bigint)", [key])
                    }
                }
                while try await holder.query(
                    "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid::text = $1",
                    [key])[0]["n"] != String(blockedCount)
                {
                    try await Task.sleep(for: .milliseconds(5))
                }
                try await holder.query("SELECT pg_advisory_unlock($1::bigint)", [key])
                try await group.waitForAll()
            }
            for connection in blocked + [holder] { await connection.close() }
        }
    }

    @Test func closeIsIdempotent() async throws {
        try await TestSchema.with { schema in
            let connection = try await schema.connect()
            #expect(try await connection.query("SELECT 1 AS one")[0]["one"] == "1")
            await connection.close()
            await connection.close()
        }
    }
}
