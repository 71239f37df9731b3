import CurlClient

extension FuzzTarget {
    static func sse(_ bytes: [UInt8]) {
        var whole = ServerSentEventParser()
        let expected = whole.feed(bytes)
        var split = ServerSentEventParser()
        var events: [ServerSentEvent] = []
        for chunk in chunks(bytes, seed: bytes.last ?? 0) { events += split.feed(chunk) }
        check(events == expected, "splitting the stream changed its events")
        var byByte = ServerSentEventParser()
        events = []
        for byte in bytes { events += byByte.feed(CollectionOfOne(byte)) }
        check(events == expected, "feeding byte by byte changed the events")
        for event in expected { check(!event.event.isEmpty, "an event without a name") }
    }
}
