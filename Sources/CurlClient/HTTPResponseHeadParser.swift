/// Builds a response's status and headers from the header lines libcurl hands over, one line
/// per call, for every response of an exchange (a `100 Continue` or a redirect included): a
/// status line starts a new set of headers, so what is left at the end is the final response's.
struct HTTPResponseHeadParser: Sendable {
    private(set) var status = 0
    private(set) var headers = HTTPClientHeaders()

    /// One raw header line, with or without its line break.
    mutating func receive(_ raw: UnsafeRawBufferPointer) {
        // Copied now: libcurl reuses the buffer after the callback returns.
        receive(line: String(decoding: raw, as: UTF8.self))
    }

    mutating func receive(line text: String) {
        var line = Substring(text)
        while line.last == "\n" || line.last == "\r" || line.last == "\r\n" { line.removeLast() }
        if line.hasPrefix("HTTP/") {
            let parts = line.split(separator: " ", maxSplits: 2)
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = HTTPClientHeaders()
        } else if let colon = line.firstIndex(of: ":") {
            var value = line[line.index(after: colon)...]
            while value.first == " " || value.first == "\t" { value.removeFirst() }
            while value.last == " " || value.last == "\t" { value.removeLast() }
            headers.add(String(line[..<colon]), String(value))
        }
    }
}
