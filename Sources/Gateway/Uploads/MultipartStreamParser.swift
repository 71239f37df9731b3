import NIOCore

/// A streaming `multipart/form-data` parser (RFC 7578 on RFC 2046 §5.1.1): fed the body in
/// chunks split anywhere, it reports each part's header fields, its body bytes as they come,
/// and its end. A pure state machine: no I/O, no allocation beyond the bytes it holds back.
///
/// It replaces MultipartKit's parser, which traps (an array index out of range) on a header
/// name byte ≥ 0x80, so any upload could stop the gateway; fuzzing found it
/// (`fuzz/regressions/multipart`).
///
/// - The preamble before the first delimiter and the epilogue after the closing one are
///   ignored; a delimiter may be followed by spaces or tabs before its CRLF.
/// - Header names are RFC 9110 tokens; values are trimmed and read as UTF-8 (undecodable bytes
///   as U+FFFD); a part's header section is at most `maxHeaderBytes`.
/// - Body bytes are reported as soon as they cannot be the start of a delimiter, so at most
///   the delimiter's length is ever held back.
final class MultipartStreamParser {
    /// Why a body does not parse.
    enum Failure: Error, Equatable {
        /// Not multipart framing (a bad header line, nothing after a delimiter but junk).
        case syntax(String)
        /// A part's header section is longer than `maxHeaderBytes`.
        case headersTooLarge
    }

    var onHeader: (String, String) -> Void = { _, _ in }
    var onBody: (inout ByteBuffer) -> Void = { _ in }
    var onPartComplete: () -> Void = {}

    /// The most bytes of header lines one part may have.
    let maxHeaderBytes: Int

    private enum State {
        case preamble
        /// Just after a delimiter: `--` ends the body, else optional padding and a CRLF.
        case afterDelimiter
        case headers
        /// After the blank line that ends a part's headers: its CRLF may be the delimiter's
        /// own (an empty body, RFC 2046's `MIME-part-headers [CRLF *OCTET]`), or the body's lead.
        case bodyStart
        case body
        case epilogue
    }

    /// `CRLF--boundary`.
    private let delimiter: [UInt8]
    private var state = State.preamble
    /// Bytes received and not yet consumed.
    private var pending: [UInt8]
    private var headerBytes = 0

    init(boundary: String, maxHeaderBytes: Int = 16 * 1024) {
        delimiter = Array("\r\n--\(boundary)".utf8)
        self.maxHeaderBytes = maxHeaderBytes
        // As if the body started after a line break, so a delimiter at its very start is found
        // like any other.
        pending = [0x0D, 0x0A]
    }

    /// Parses one more chunk of the body; throws `Failure` where it stops being multipart.
    func execute(_ buffer: ByteBuffer) throws(Failure) {
        pending.append(contentsOf: buffer.readableBytesView)
        var cursor = 0
        defer { pending.removeFirst(cursor) }
        while cursor < pending.count {
            switch state {
            case .preamble:
                guard let found = find(from: cursor) else {
                    cursor = max(cursor, pending.count - (delimiter.count - 1))
                    return
                }
                cursor = found + delimiter.count
                state = .afterDelimiter
            case .afterDelimiter:
                guard let next = try afterDelimiter(from: cursor) else { return }
                cursor = next
            case .headers:
                guard let next = try headerLine(from: cursor) else { return }
                cursor = next
            case .bodyStart:
                let available = min(pending.count - cursor, delimiter.count)
                if pending[cursor..<(cursor + available)].elementsEqual(delimiter.prefix(available)) {
                    guard available == delimiter.count else { return }
                    onPartComplete()
                    cursor += delimiter.count
                    state = .afterDelimiter
                } else {
                    cursor += 2
                    state = .body
                }
            case .body:
                if let found = find(from: cursor) {
                    emitBody(cursor..<found)
                    onPartComplete()
                    cursor = found + delimiter.count
                    state = .afterDelimiter
                } else {
                    let keep = max(cursor, pending.count - (delimiter.count - 1))
                    emitBody(cursor..<keep)
                    cursor = keep
                    return
                }
            case .epilogue:
                cursor = pending.count
            }
        }
    }

    /// At the end of the body: throws unless the close delimiter (`--boundary--`) was read, so
    /// a body cut anywhere before it (after a delimiter too) is refused, not taken as complete.
    func finish() throws(Failure) {
        guard case .epilogue = state else { throw .syntax("the body ends before its close delimiter") }
    }

    /// The index of the next delimiter at or after `start`, if all of it has arrived.
    private func find(from start: Int) -> Int? {
        guard pending.count - start >= delimiter.count else { return nil }
        var index = start
        let last = pending.count - delimiter.count
        while index <= last {
            guard let cr = pending[index...last].firstIndex(of: 0x0D) else { return nil }
            if pending[cr..<(cr + delimiter.count)].elementsEqual(delimiter) { return cr }
            index = cr + 1
        }
        return nil
    }

    /// After a delimiter: `--` (the close), or padding then CRLF (a part's headers follow).
    /// Returns where parsing goes on, or nil until more bytes arrive.
    private func afterDelimiter(from start: Int) throws(Failure) -> Int? {
        var index = start
        if pending[index] == UInt8(ascii: "-") {
            guard index + 1 < pending.count else { return nil }
            guard pending[index + 1] == UInt8(ascii: "-") else { throw .syntax("a delimiter followed by '-'") }
            state = .epilogue
            return index + 2
        }
        while index < pending.count, pending[index] == UInt8(ascii: " ") || pending[index] == UInt8(ascii: "\t") {
            index += 1
            guard index - start <= 64 else { throw .syntax("padding after a delimiter runs on") }
        }
        guard index + 1 < pending.count else { return nil }
        guard pending[index] == 0x0D, pending[index + 1] == 0x0A else {
            throw .syntax("a delimiter is not followed by a line break")
        }
        state = .headers
        headerBytes = 0
        return index + 2
    }

    /// One header line, or the blank line that ends them; nil until the whole line arrived.
    private func headerLine(from start: Int) throws(Failure) -> Int? {
        guard let end = lineEnd(from: start) else {
            guard headerBytes + (pending.count - start) <= maxHeaderBytes else { throw .headersTooLarge }
            return nil
        }
        headerBytes += end - start + 2
        guard headerBytes <= maxHeaderBytes else { throw .headersTooLarge }
        if end == start {
            // The CRLF stays: it may begin the delimiter of an empty body.
            state = .bodyStart
            return end
        }
        let line = pending[start..<end]
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > start,
            line[start..<colon].allSatisfy(Self.isTokenByte)
        else {
            throw .syntax("a part header line is not 'name: value'")
        }
        var value = line[(colon + 1)...]
        while let first = value.first, first == 0x20 || first == 0x09 { value = value.dropFirst() }
        while let last = value.last, last == 0x20 || last == 0x09 { value = value.dropLast() }
        onHeader(String(decoding: line[start..<colon], as: UTF8.self), String(decoding: value, as: UTF8.self))
        return end + 2
    }

    /// The index of the CR of the next CRLF at or after `start`.
    private func lineEnd(from start: Int) -> Int? {
        var index = start
        while let cr = pending[index...].firstIndex(of: 0x0D) {
            guard cr + 1 < pending.count else { return nil }
            if pending[cr + 1] == 0x0A { return cr }
            index = cr + 1
        }
        return nil
    }

    private func emitBody(_ range: Range<Int>) {
        guard !range.isEmpty else { return }
        var buffer = ByteBuffer(bytes: pending[range])
        onBody(&buffer)
    }

    /// RFC 9110 `tchar`: what a header field name is made of.
    static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            tokenSymbols.contains(byte)
        }
    }

    private static let tokenSymbols = Array("!#$%&'*+-.^_`|~".utf8)
}
