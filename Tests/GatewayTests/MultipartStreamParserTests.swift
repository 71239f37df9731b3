import Foundation
import NIOCore
import TestSupport
import Testing

@testable import Gateway

/// The multipart parser as a pure state machine: events for bodies split anywhere, and its
/// refusals, without a server.
@Suite("Multipart stream parser")
struct MultipartStreamParserTests {
    enum Event: Equatable {
        case header(String, String)
        case body([UInt8])
        case end
    }

    /// The events of `body`, fed in chunks of `size` bytes, consecutive body slices merged.
    static func parse(_ body: [UInt8], boundary: String = "b0undary", chunk size: Int? = nil, finished: Bool = true)
        throws(MultipartStreamParser
        .Failure) -> [Event]
    {
        let parser = MultipartStreamParser(boundary: boundary, maxHeaderBytes: 256)
        final class Sink { var events: [Event] = [] }
        let sink = Sink()
        parser.onHeader = { sink.events.append(.header($0, $1)) }
        parser.onBody = { buffer in
            if case .body(let bytes) = sink.events.last {
                sink.events[sink.events.count - 1] = .body(bytes + Array(buffer.readableBytesView))
            } else {
                sink.events.append(.body(Array(buffer.readableBytesView)))
            }
        }
        parser.onPartComplete = { sink.events.append(.end) }
        let step = size ?? max(1, body.count)
        var start = 0
        while start < body.count {
            try parser.execute(ByteBuffer(bytes: body[start..<min(body.count, start + step)]))
            start += step
        }
        if finished { try parser.finish() }
        return sink.events
    }

    static let form = Array(
        ("preamble to ignore\r\n--b0undary\r\nContent-Disposition: form-data; name=\"style\"\r\n\r\nwarm\r\n"
            + "--b0undary  \r\nContent-Disposition:form-data; name=\"file\"; filename=\"r\u{E9}sum\u{E9}.csv\"\r\n"
            + "Content-Type: text/csv\r\n\r\na,b\r\n\r\n--b0undar\r\n-b0undaryX\r\n1,2\r\n--b0undary--\r\nepilogue --b0undary\r\n")
            .utf8)

    static let expected: [Event] = [
        .header("Content-Disposition", "form-data; name=\"style\""), .body(Array("warm".utf8)), .end,
        .header("Content-Disposition", "form-data; name=\"file\"; filename=\"r\u{E9}sum\u{E9}.csv\""),
        .header("Content-Type", "text/csv"), .body(Array("a,b\r\n\r\n--b0undar\r\n-b0undaryX\r\n1,2".utf8)), .end,
    ]

    @Test("a form reads the same whole and split into chunks of any size", arguments: [nil, 1, 2, 3, 7, 13, 64])
    func splits(size: Int?) throws {
        #expect(try Self.parse(Self.form, chunk: size) == Self.expected)
    }

    @Test("a delimiter at the very start, an empty part, and a body with no preamble or epilogue")
    func edges() throws {
        let body = Array("--b0undary\r\nX-A: 1\r\n\r\n\r\n--b0undary\r\n\r\nz\r\n--b0undary--".utf8)
        for size in [1, 5, body.count] {
            #expect(
                try Self.parse(body, chunk: size) == [.header("X-A", "1"), .end, .body(Array("z".utf8)), .end])
        }
        #expect(try Self.parse(Array("no delimiter here at all".utf8), finished: false) == [])
    }

    @Test(
        "a part with headers and no body, whether or not the optional CRLF before the body is there",
        arguments: [1, 2, 5, 1000])
    func emptyBodies(size: Int) throws {
        let body = Array(
            ("--b0undary\r\nX-A: 1\r\n\r\n--b0undary\r\nX-B: 2\r\n\r\nv\r\n--b0undary\r\n\r\n--b0undary\r\n"
                + "X-C: 3\r\n\r\n\r\n--b0undary--").utf8)
        #expect(
            try Self.parse(body, chunk: size) == [
                .header("X-A", "1"), .end, .header("X-B", "2"), .body(Array("v".utf8)), .end, .end, .header("X-C", "3"), .end,
            ])
    }

    @Test(
        "a body cut anywhere before its close delimiter is refused at its end",
        arguments: [
            "--b0undary\r\nX-A: 1\r\n\r\nv\r\n--b0undary", "--b0undary\r\nX-A: 1\r\n\r\nv\r\n--b0undary\r\nX-B: 2",
            "--b0undary\r\nX-A: 1\r\n\r\nv\r\n--b0undary-", "--b0undary\r\nX-A: 1\r\n\r\nv", "--b0undary\r\nX-A: 1\r\n\r\n",
            "preamble only",
        ])
    func cutBodies(body: String) {
        for size in [1, 3, body.utf8.count] {
            #expect(throws: MultipartStreamParser.Failure.syntax("the body ends before its close delimiter")) {
                try Self.parse(Array(body.utf8), chunk: size)
            }
        }
    }

    @Test(
        "what is not multipart is refused, a header name with a byte >= 0x80 too (MultipartKit trapped on it)",
        arguments: [
            ("--b0undary\r\nCont\u{FF}ent: x\r\n\r\nbody\r\n--b0undary--", "a part header line is not 'name: value'"),
            ("--b0undary\r\n: no name\r\n\r\n", "a part header line is not 'name: value'"),
            ("--b0undary\r\nno colon\r\n\r\n", "a part header line is not 'name: value'"),
            ("--b0undary\r\nBad Name: x\r\n\r\n", "a part header line is not 'name: value'"),
            ("--b0undaryjunk\r\n", "a delimiter is not followed by a line break"),
            ("--b0undary-x", "a delimiter followed by '-'"),
            ("--b0undary" + String(repeating: " ", count: 80) + "\r\n", "padding after a delimiter runs on"),
        ])
    func refusals(body: String, reason: String) {
        for size in [1, 4, body.utf8.count] {
            #expect(throws: MultipartStreamParser.Failure.syntax(reason)) { try Self.parse(Array(body.utf8), chunk: size) }
        }
    }

    @Test("a part's header section past its limit is refused, whole or arriving slowly")
    func headersTooLarge() {
        let long = "--b0undary\r\nX-Long: " + String(repeating: "h", count: 300) + "\r\n\r\n"
        let many = "--b0undary\r\n" + String(repeating: "X-A: 1234567890\r\n", count: 20) + "\r\n"
        for body in [long, many, "--b0undary\r\nX-Open: " + String(repeating: "h", count: 300)] {
            for size in [1, 16, body.utf8.count] {
                #expect(throws: MultipartStreamParser.Failure.headersTooLarge) {
                    try Self.parse(Array(body.utf8), chunk: size)
                }
            }
        }
    }

    @Test("the fuzz finding: a non-ASCII header name is a refusal, not a crash")
    func fuzzFinding() throws {
        let url = URL(fileURLWithPath: RepositoryPaths.root + "/fuzz/regressions/multipart/non-ascii-header-name")
        let bytes = try [UInt8](Data(contentsOf: url))
        let parser = MultipartStreamParser(boundary: "vjfuzz")
        #expect(throws: MultipartStreamParser.Failure.self) { try parser.execute(ByteBuffer(bytes: bytes)) }
    }
}
