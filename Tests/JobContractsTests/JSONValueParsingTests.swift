import Testing
import VelocityTypes

/// `JSONValue(parsing:)` reads JSON and nothing else: found by fuzzing (`1` and NUL bytes read
/// as 1, since Foundation's decoder stops at a NUL), kept in fuzz/regressions/json-recovery.
@Suite("JSONValue parsing")
struct JSONValueParsingTests {
    @Test(
        "a raw NUL byte anywhere is not JSON",
        arguments: [
            [0x31, 0x00], [0x31, 0x00, 0x00, 0x00, 0x00], [0x00], Array(#"{"a":1}"#.utf8) + [0], Array(#"["\#0"]"#.utf8),
        ]
            as [[UInt8]])
    func nulIsRefused(_ bytes: [UInt8]) {
        #expect(throws: (any Error).self) { try JSONValue(parsing: bytes) }
    }

    @Test("an escaped NUL in a string is JSON, and reads as U+0000")
    func escapedNUL() throws {
        #expect(try JSONValue(parsing: Array(#"["a\u0000b"]"#.utf8)) == .array([.string("a\u{0}b")]))
    }
}
