import StructuredOutput
import Testing
import VelocityTypes

@Suite("Strict JSON reads as JSONValue(parsing:) reads it, with no repair")
struct JSONRecoveryStrictTests {
    static let documents: [String] = [
        #"{"a": 1, "b": [true, false, null], "c": {"d": "e"}}"#,
        "[]",
        "{}",
        "  \n\t{\"padded\": true}\r\n  ",
        #""just a string""#,
        "42",
        "-0",
        "null",
        "false",
        #"[[[[]]], {"a": {"b": {"c": [1, {"d": null}]}}}]"#,
        #"{"s": "braces { } [ ] , : and \"quotes\" and // no comment /* nor this */"}"#,
        #"{"url": "http://example.com/*path*/", "trailing": "a,]", "single": "it's 'quoted'"}"#,
        #"{"fence": "```json\n{\"inner\": [1,]}\n```", "tilde": "~~~"}"#,
        #"{"escapes": "\u00e9\n\t\\ \/ \b\f\r \"", "nul": "\u0000"}"#,
        #"{"emoji": "\ud83d\ude00 and 😀", "ключ": "значение", "日本": "語", "mixed": "e\u0301"}"#,
        #"{"a/b": {"m~n": ["slash", "tilde"]}, "": "empty key"}"#,
        #"{"dup": 1, "dup": 2}"#,
        "\u{FEFF}[1, 2]",
        #"[0, -0, -0.0, 1.0, 0.5, 1e2, 2.5E+3, 1E-2, -1.5e-7, 1.7976931348623157e308, 5e-324]"#,
        #"[9223372036854775807, -9223372036854775808, 9223372036854775808, -9223372036854775809]"#,
        #"[1e18, 1e19, 12345678901234567890, 100000000000000000000000, 1e-400, 1.0000000000000001]"#,
        #"{"nan": "NaN", "py": "True", "inf": "-Infinity", "words": "None of these are literals"}"#,
    ]

    @Test("strict JSON is clean and equals JSONValue(parsing:)", arguments: documents)
    func strictMatchesParsing(_ text: String) throws {
        let expected = try #require(JSONValue(parsing: text))
        let recovered = try JSONRecovery.recover(text)
        #expect(recovered.value == expected)
        #expect(recovered.isClean, "\(recovered.repairs)")
        #expect(recovered.repairs.isEmpty)
        #expect(recovered.additionalValues.isEmpty)
    }

    static let numbers: [(text: String, value: JSONValue)] = [
        ("0", .int(0)),
        ("-0", .int(0)),
        ("-0.0", .int(0)),
        ("7.0", .int(7)),
        ("0.5", .double(0.5)),
        ("-12.25e1", .double(-122.5)),
        ("2.5E+3", .int(2500)),
        ("1e18", .int(1_000_000_000_000_000_000)),
        ("1e19", .double(1e19)),
        ("9223372036854775807", .int(Int64.max)),
        ("-9223372036854775808", .int(Int64.min)),
        ("9223372036854775808", .double(9.223372036854775808e18)),
        // Past Int64.min by one: the Double it reads as is Int64.min itself.
        ("-9223372036854775809", .int(Int64.min)),
        // A fraction below the Double's resolution: the whole number the Double holds.
        ("4444444444444444444.44", .int(4_444_444_444_444_444_672)),
        ("123456789012345678901234567890", .double(1.2345678901234568e29)),
        ("9007199254740993.0", .int(9_007_199_254_740_993)),
        ("1e-400", .int(0)),
        ("4.9e-324", .double(.leastNonzeroMagnitude)),
    ]

    @Test(
        "integers that Int64 holds are .int, so is a number whose Double is one; every other number .double", arguments: numbers)
    func numberTypes(_ number: (text: String, value: JSONValue)) throws {
        let recovered = try JSONRecovery.recover("[\(number.text)]")
        #expect(recovered.value == .array([number.value]))
        #expect(recovered.isClean)
    }

    @Test("random documents written by JSONEncoder read back clean and equal to JSONValue(parsing:)")
    func randomDocuments() throws {
        var generator = SeededGenerator(seed: 0x5EED)
        for _ in 0..<300 {
            let text = Self.randomValue(depth: 0, using: &generator).jsonText
            let recovered = try JSONRecovery.recover(text)
            #expect(recovered.value == JSONValue(parsing: text), "\(text)")
            #expect(recovered.isClean, "\(text): \(recovered.repairs)")
        }
    }

    private static func randomValue(depth: Int, using generator: inout SeededGenerator) -> JSONValue {
        let kind = Int.random(in: depth > 4 ? 0...4 : 0...6, using: &generator)
        switch kind {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &generator))
        case 2:
            return .int(
                Int64.random(in: Int64.min...Int64.max, using: &generator)
                    >> Int64.random(in: 0...63, using: &generator))
        case 3: return .double(Double.random(in: -1e6...1e6, using: &generator))
        case 4: return .string(randomString(using: &generator))
        case 5:
            return .array(
                (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                    randomValue(depth: depth + 1, using: &generator)
                })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                members[randomString(using: &generator)] = randomValue(depth: depth + 1, using: &generator)
            }
            return .object(members)
        }
    }

    /// Strings mixing what a scanner could trip on: quotes, backslashes, slashes, brackets,
    /// control characters, and scalars of every UTF-8 length.
    private static func randomString(using generator: inout SeededGenerator) -> String {
        let alphabet: [Unicode.Scalar] = [
            "a", "Z", "0", " ", "\"", "'", "\\", "/", "*", "{", "}", "[", "]", ",", ":", "`", "\n", "\t", "\u{01}",
            "\u{7F}", "é", "ß", "€", "語", "😀", "\u{10FFFF}",
        ]
        var scalars = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &generator) {
            scalars.append(alphabet.randomElement(using: &generator) ?? "a")
        }
        return String(scalars)
    }
}

/// A deterministic generator (SplitMix64), so that a failing document can be reproduced.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
