import PostgresClient
import Testing

/// `PostgresArrayLiteral` escapes byte by byte; PostgreSQL reading the literal back is the judge.
@Suite struct PostgresArrayLiteralTests {
    static let values = [
        "", "plain", "quote \" inside", "back\\slash", "\\\"", "NULL", "{braces}", "comma, space", "tab\tnewline\n",
        "हिन्दी ₹2,00,00,000", "emoji 👍🏽 \"q\"", String(repeating: "\\", count: 5),
    ]

    @Test func literalIsRead() {
        #expect(PostgresArrayLiteral.text(["a\"b", "c\\d", "é"]) == #"{"a\"b","c\\d","é"}"#)
        #expect(PostgresArrayLiteral.text([String]()) == "{}")
    }

    @Test func postgresReadsBackEveryElement() async throws {
        try await TestSchema.with { schema in
            try await schema.withConnection { connection in
                let rows = try await connection.query(
                    "SELECT v FROM unnest($1::text[]) WITH ORDINALITY AS u(v, n) ORDER BY n",
                    [PostgresArrayLiteral.text(Self.values)])
                #expect(rows.map { $0["v"] } == Self.values.map { Optional($0) })
            }
        }
    }
}
