import CurlClient
import Testing

@Suite("Server-Sent Event parsing")
struct ServerSentEventParserTests {
    @Test("fields, comments, multi-line data and line endings follow the HTML standard")
    func standard() {
        var parser = ServerSentEventParser()
        let text =
            "\u{FEFF}: comment first\r\nevent: a\r\ndata:no-space\r\ndata:  two spaces\r\n\r\n"
            + "id: 42\rretry: 1500\rdata\r\r" + "event: ignored-without-data\n\n" + "data: after\nunknown: x\n\n"
        let events = parser.feed(Array(text.utf8))
        #expect(
            events == [
                ServerSentEvent(event: "a", data: "no-space\n two spaces"),
                ServerSentEvent(event: "message", data: "", id: "42", retry: 1500),
                ServerSentEvent(event: "message", data: "after", id: "42"),
            ])
    }

    @Test("bytes fed one at a time give the same events, and an unfinished event is held back")
    func byteByByte() {
        let text = "event: queued\r\ndata: {\"a\":1}\r\n\r\nevent: done\ndata: é✓\n\ndata: unfinished\n"
        var whole = ServerSentEventParser()
        let expected = whole.feed(Array(text.utf8))
        #expect(expected.count == 2)
        #expect(expected.last == ServerSentEvent(event: "done", data: "é✓"))
        var split = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for byte in text.utf8 { events += split.feed([byte]) }
        #expect(events == expected)
        #expect(split.feed(Array("\n".utf8)) == [ServerSentEvent(data: "unfinished")])
    }
}
