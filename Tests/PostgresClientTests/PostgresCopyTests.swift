import PostgresClient
import Testing
import VelocityTypes

@Suite struct PostgresCopyTests {
    @Test func encoderEscapesTextFormat() {
        var encoder = PostgresCopyEncoder()
        encoder.append(["a\tb", nil, "\\N", "x\ny\rz", "", "\\", "ü🚀"])
        encoder.append([nil])
        let expected = "a\\tb\t\\N\t\\\\N\tx\\ny\\rz\t\t\\\\\tü🚀\n\\N\n"
        #expect(String(decoding: encoder.buffer, as: UTF8.self) == expected)
        var reserved = PostgresCopyEncoder(reservingCapacity: 1 << 16)
        reserved.append(["a\tb"])
        reserved.trimCapacity()
        #expect(String(decoding: reserved.buffer, as: UTF8.self) == "a\\tb\n", "trimming keeps the bytes")
        #expect(reserved.buffer.capacity < 1024, "and gives back the spare capacity")
        encoder.removeAll()
        #expect(encoder.buffer.isEmpty)
    }

    /// Row `i` of the bulk load: every character COPY's text format treats specially, plus
    /// NULL and the empty string, which must stay distinct.
    static func nastyRow(_ i: Int) -> [String?] {
        let text = "row \(i)\t\\N \\\\ \\t\n\r\n 'q' \"dq\" ü 日本 🚀 \\"
        let other: String? =
            switch i % 4 {
            case 0: nil
            case 1: ""
            case 2: "\\N"
            default: String(repeating: "x\t", count: i % 50)
            }
        return [String(i), text, other]
    }

    @Test func copyInRoundTripsTenThousandRows() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE c (id int PRIMARY KEY, a text, b text)")
                let rows = (0..<10_000).map(Self.nastyRow)
                let copied = try await connection.copyIn("COPY c (id, a, b) FROM STDIN", rows: rows)
                #expect(copied == 10_000)
                let back = try await connection.query("SELECT c.id::text, c.a, c.b FROM c ORDER BY c.id")
                #expect(back.count == rows.count)
                // The first differing row only, rather than 10,000 rows of output.
                let firstDifference = zip(back.rows, rows).enumerated().first { $0.element.0 != $0.element.1 }
                #expect(firstDifference == nil, "row \(firstDifference?.offset ?? -1) differs")
            }
        }
    }

    @Test func rejectedRowFailsTheWholeCopy() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE c (id int PRIMARY KEY, a text)")
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.copyIn("COPY c (id, a) FROM STDIN", rows: [["1", "ok"], ["not a number", "x"]])
                }
                #expect(error.code == .copyFailed)
                #expect(error.sqlState == "22P02")

                let duplicate = try await #require(throws: PostgresError.self) {
                    try await connection.copyIn("COPY c (id, a) FROM STDIN", rows: [["1", "a"], ["1", "b"]])
                }
                #expect(duplicate.code == .uniqueViolation)
                #expect(duplicate.sqlState == "23505")

                // Nothing was stored, and the session is ready for more.
                #expect(try await connection.query("SELECT count(*) AS n FROM c")[0]["n"] == "0")
                #expect(try await connection.copyIn("COPY c (id, a) FROM STDIN", rows: [["2", nil]]) == 1)
            }
        }
    }

    @Test func copyThroughQueryIsRefusedCleanly() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE c (id int)")
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.query("COPY c (id) FROM STDIN")
                }
                #expect(error.code == .queryFailed)
                let notCopy = try await #require(throws: PostgresError.self) {
                    try await connection.copyIn("SELECT 1", rows: [["1"]])
                }
                #expect(notCopy.code == .copyFailed)
                #expect(try await connection.query("SELECT 1 AS one")[0]["one"] == "1")
            }
        }
    }

    /// Rows encoded beforehand go in the same, across many 64 KiB sends, and a bad one still
    /// fails the whole COPY.
    @Test func copyInEncodedRoundTrips() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                try await connection.execute("CREATE TABLE c (id int PRIMARY KEY, a text, b text)")
                let rows = (0..<10_000).map(Self.nastyRow)
                var encoder = PostgresCopyEncoder()
                for row in rows { encoder.append(row) }
                #expect(encoder.buffer.count > 4 * 64 * 1024)
                #expect(try await connection.copyIn("COPY c (id, a, b) FROM STDIN", encoded: encoder) == 10_000)
                let back = try await connection.query("SELECT c.id::text, c.a, c.b FROM c ORDER BY c.id")
                let firstDifference = zip(back.rows, rows).enumerated().first { $0.element.0 != $0.element.1 }
                #expect(back.count == rows.count && firstDifference == nil, "row \(firstDifference?.offset ?? -1) differs")

                var bad = PostgresCopyEncoder()
                bad.append(["10001", "ok", nil])
                bad.append(["not a number", "x", nil])
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.copyIn("COPY c (id, a, b) FROM STDIN", encoded: bad)
                }
                #expect(error.code == .copyFailed)
                #expect(try await connection.query("SELECT count(*) AS n FROM c")[0]["n"] == "10000")
                #expect(try await connection.copyIn("COPY c (id, a, b) FROM STDIN", encoded: PostgresCopyEncoder()) == 0)
            }
        }
    }
}
