/// One Server-Sent Event (`text/event-stream`), as the HTML standard defines its fields.
public struct ServerSentEvent: Sendable, Equatable {
    /// `event:`; "message" when the event names none.
    public var event: String
    /// The `data:` lines, joined with newlines.
    public var data: String
    /// The last `id:` seen so far in the stream, if any.
    public var id: String?
    /// `retry:` in milliseconds, when this event carried one.
    public var retry: Int?

    public init(event: String = "message", data: String, id: String? = nil, retry: Int? = nil) {
        self.event = event
        self.data = data
        self.id = id
        self.retry = retry
    }
}

/// Turns `text/event-stream` bytes, in chunks split anywhere, into events.
///
/// Lines end with LF, CR or CRLF; a blank line dispatches the event; lines starting with `:`
/// are comments (keep-alives); an event without data is dropped, as is an unfinished one at
/// the end of the stream.
public struct ServerSentEventParser: Sendable {
    private var line: [UInt8] = []
    private var lastByteWasCR = false
    private var atStart = true
    private var eventName = ""
    private var data: [String] = []
    private var hasData = false
    private var lastID: String?
    private var retry: Int?

    public init() {}

    /// The events that `chunk` completes.
    public mutating func feed(_ chunk: some Sequence<UInt8>) -> [ServerSentEvent] {
        var events: [ServerSentEvent] = []
        for byte in chunk {
            if byte == 0x0A, lastByteWasCR {
                lastByteWasCR = false
                continue
            }
            lastByteWasCR = byte == 0x0D
            if byte == 0x0A || byte == 0x0D {
                if let event = endLine() { events.append(event) }
            } else {
                line.append(byte)
            }
        }
        return events
    }

    private mutating func endLine() -> ServerSentEvent? {
        defer { line.removeAll(keepingCapacity: true) }
        var bytes = line[...]
        if atStart {
            atStart = false
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
        }
        if bytes.isEmpty { return dispatch() }
        if bytes.first == UInt8(ascii: ":") { return nil }
        let name: String
        var value: Substring
        if let colon = bytes.firstIndex(of: UInt8(ascii: ":")) {
            name = String(decoding: bytes[..<colon], as: UTF8.self)
            var rest = bytes[(colon + 1)...]
            if rest.first == UInt8(ascii: " ") { rest = rest.dropFirst() }
            value = Substring(String(decoding: rest, as: UTF8.self))
        } else {
            name = String(decoding: bytes, as: UTF8.self)
            value = ""
        }
        switch name {
        case "event": eventName = String(value)
        case "data":
            data.append(String(value))
            hasData = true
        case "id" where !value.contains("\0"): lastID = String(value)
        case "retry":
            if !value.isEmpty, value.allSatisfy(\.isASCIIDigit) { retry = Int(value) }
        default: break
        }
        return nil
    }

    private mutating func dispatch() -> ServerSentEvent? {
        defer {
            eventName = ""
            data = []
            hasData = false
            retry = nil
        }
        guard hasData else { return nil }
        return ServerSentEvent(
            event: eventName.isEmpty ? "message" : eventName, data: data.joined(separator: "\n"), id: lastID,
            retry: retry)
    }
}

/// Server-Sent Events parsed from a sequence of byte chunks.
public struct ServerSentEventSequence<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable
where Base.Element == [UInt8] {
    public typealias Element = ServerSentEvent
    let base: Base

    public init(_ base: Base) { self.base = base }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        var parser = ServerSentEventParser()
        var pending: [ServerSentEvent] = []

        public mutating func next() async throws -> ServerSentEvent? {
            while pending.isEmpty {
                guard let chunk = try await base.next() else { return nil }
                pending = parser.feed(chunk)
            }
            return pending.removeFirst()
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: base.makeAsyncIterator())
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
