import JSONSchema
import Testing
import VelocityTypes

/// `format` annotates by default, as the specification says, and asserts `date`, `date-time`,
/// `email` and `uri` when asked to.
@Suite("Formats")
struct FormatTests {
    @Test("format is only an annotation unless format assertion is on")
    func annotationByDefault() throws {
        let lenient = try schema(#"{"format": "date"}"#)
        #expect(!lenient.formatAssertion)
        #expect(lenient.isValid(.string("tomorrow")))
        let strict = try schema(#"{"format": "date"}"#, formatAssertion: true)
        #expect(strict.validate(.string("tomorrow")).map(\.message)
            == [#"/: "tomorrow" is not a valid date; expected a date like 2024-05-31"#])
        #expect(strict.isValid(.int(5)), "formats apply to strings only")
    }

    @Test("unknown formats stay annotations even with assertion on, but must be strings")
    func unknownFormats() throws {
        #expect(try schema(#"{"format": "color"}"#, formatAssertion: true).isValid(.string("not a color")))
        #expect(try schemaError(#"{"format": 7}"#).message == #""format" must be a string, got integer 7"#)
    }

    @Test("date", arguments: [
        ("2024-02-29", true), ("2023-02-29", false), ("2024-04-31", false), ("2024-12-31", true),
        ("2024-13-01", false), ("24-01-01", false), ("2024-1-01", false), ("2024-01-01T00:00:00Z", false),
    ])
    func dates(text: String, valid: Bool) throws {
        #expect(try schema(#"{"format": "date"}"#, formatAssertion: true).isValid(.string(text)) == valid)
    }

    @Test("date-time", arguments: [
        ("2024-05-31T23:59:00Z", true), ("2024-05-31t23:59:00.123z", true), ("2024-05-31T23:59:00+02:00", true),
        ("2016-12-31T23:59:60Z", true), ("2016-12-31T22:59:60-01:00", true), ("2016-12-31T23:58:60Z", false),
        ("2024-05-31 23:59:00Z", false), ("2024-05-31T24:00:00Z", false), ("2024-05-31T23:59:00", false),
        ("2024-05-31T23:59:00.Z", false), ("2024-02-30T00:00:00Z", false), ("2024-05-31T23:59:00+2:00", false),
    ])
    func dateTimes(text: String, valid: Bool) throws {
        #expect(try schema(#"{"format": "date-time"}"#, formatAssertion: true).isValid(.string(text)) == valid)
    }

    @Test("email", arguments: [
        ("joe.bloggs@example.com", true), ("te~st@example.com", true), ("joe@[127.0.0.1]", true),
        ("\"joe bloggs\"@example.com", true), ("2962", false), (".test@example.com", false),
        ("te..st@example.com", false), ("test.@example.com", false), ("joe@invalid=domain.com", false),
        ("joe@[127.0.0.300]", false), ("joe@-example.com", false), ("@example.com", false),
    ])
    func emails(text: String, valid: Bool) throws {
        #expect(try schema(#"{"format": "email"}"#, formatAssertion: true).isValid(.string(text)) == valid)
    }

    @Test("uri", arguments: [
        ("https://example.com/path?q=1#top", true), ("urn:isbn:0451450523", true), ("mailto:joe@example.com", true),
        ("http://example.com/a%20b", true), ("//example.com/relative", false), ("/abc", false),
        ("http://example.com/a b", false), ("http://example.com/%zz", false), ("1http://x", false),
        ("\\\\WINDOWS\\fileshare", false),
    ])
    func uris(text: String, valid: Bool) throws {
        #expect(try schema(#"{"format": "uri"}"#, formatAssertion: true).isValid(.string(text)) == valid)
    }
}
