import Foundation
import Testing
import VelocityTypes

/// The direct JSON writer gives byte for byte what `JSONEncoder` (sorted keys, slashes
/// unescaped) gave before it, so text already stored compares equal.
@Suite("JSONValue writing")
struct JSONValueWritingTests {
    static func encoded(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static let samples: [JSONValue] = [
        .null, .bool(true), .bool(false), .int(0), .int(-42), .int(Int64.max), .int(Int64.min),
        .double(0.9), .double(100), .double(-0.5), .double(1e21), .double(1.5e-7), .double(123456789.125),
        .double(0.1 + 0.2), .string(""), .string("plain"), .string("quote \" and \\ and /slash"),
        .string("lines\n\r\ttab\u{08}\u{0C}"), .string("control \u{01}\u{1F}\u{7F}"),
        .string("हिन्दी ₹2,00,00,000 — emoji 👍🏽"), .string("\u{2028}\u{2029}"),
        .array([]), .object([:]), .array([.int(1), .string("a"), .null, .array([.bool(true)])]),
        .object([
            "b": .int(1), "a": .int(2), "B": .int(3), "a10": .int(4), "a2": .int(5), "_x": .int(6), "Z": .int(7),
            "é": .int(8), "nested": .object(["z": .array([.object(["y": .null, "x": .double(2.5)])])]),
        ]),
    ]

    @Test("every sample is written as JSONEncoder writes it", arguments: samples)
    func matchesEncoder(_ value: JSONValue) throws {
        #expect(value.jsonText == (try Self.encoded(value)))
    }

    @Test("what it writes parses back to what it wrote (a whole double such as 100 comes back an int)")
    func roundTrips() throws {
        for value in Self.samples {
            #expect(try JSONValue(parsing: value.jsonBytes).jsonText == value.jsonText)
        }
    }

    @Test("NaN and infinity, which JSON lacks, are written as null in place")
    func nonFinite() {
        #expect(JSONValue.array([.double(.nan), .double(.infinity), .int(1)]).jsonText == "[null,null,1]")
    }
}
