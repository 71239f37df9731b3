/// Reads the email addresses in a cell: trimmed, lower-cased, `mailto:` and `<…>` stripped,
/// several addresses split at `;`, `,` or white space (the first is the primary).
///
/// Valid means what a mail server will take: `local@domain`, an ASCII local part of at most 64
/// characters from the RFC 5322 atom set, dots neither leading, trailing nor doubled; a domain
/// of at least two dot-separated labels of letters, digits and inner hyphens ending in a
/// letters-only top-level label; 254 characters at most.
public struct EmailNormalizer: Sendable {
    public init() {}

    /// The addresses in a cell.
    public func normalize(_ text: String) -> EmailList {
        let original = text
        var text = text
        return text.withUTF8 { bytes in
            var list = EmailList()
            // One lower-case address, the usual cell: keep the string as it is.
            if !bytes.isEmpty, !bytes.contains(where: { Self.isSeparator($0) || ASCIIText.isUpper($0) }),
                bytes.first != UInt8(ascii: "<"), bytes.first != UInt8(ascii: "\""), bytes.first != UInt8(ascii: "'"),
                bytes.first != UInt8(ascii: "("), !(bytes.count > 7 && Self.matchesMailto(bytes, 0)),
                bytes.last != UInt8(ascii: "."), bytes.last != UInt8(ascii: ">"), bytes.last != UInt8(ascii: "\""),
                bytes.last != UInt8(ascii: "'"), bytes.last != UInt8(ascii: ")")
            {
                if Self.isValid(bytes) { list.emails = [original] } else { list.invalid = [original] }
                return list
            }
            var tokens: [Range<Int>] = []
            var start = 0
            for index in 0...bytes.count where index == bytes.count || Self.isSeparator(bytes[index]) {
                if index > start { tokens.append(start..<index) }
                start = index + 1
            }
            let anyAt = tokens.contains { range in range.contains { bytes[$0] == UInt8(ascii: "@") } }
            for token in tokens {
                let hasAt = token.contains { bytes[$0] == UInt8(ascii: "@") }
                // "Rahul Sharma <rahul@example.com>": the words around an address are its label.
                if !hasAt && anyAt { continue }
                if let address = Self.address(bytes, token) {
                    if !list.emails.contains(address) { list.emails.append(address) }
                } else {
                    list.invalid.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[token]), as: UTF8.self))
                }
            }
            return list
        }
    }

    /// One address, normalized, or nil when it is not valid.
    public func normalizeAddress(_ text: String) -> String? {
        let list = normalize(text)
        return list.emails.count == 1 && list.invalid.isEmpty ? list.emails[0] : nil
    }

    static func isSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ")
            || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// The token as a lower-cased address, or nil.
    static func address(_ bytes: UnsafeBufferPointer<UInt8>, _ token: Range<Int>) -> String? {
        var low = token.lowerBound
        var high = token.upperBound
        if high - low > 7 && matchesMailto(bytes, low) { low += 7 }
        while low < high, bytes[low] == UInt8(ascii: "<") || bytes[low] == UInt8(ascii: "\"")
            || bytes[low] == UInt8(ascii: "'") || bytes[low] == UInt8(ascii: "(")
        {
            low += 1
        }
        while low < high, bytes[high - 1] == UInt8(ascii: ">") || bytes[high - 1] == UInt8(ascii: "\"")
            || bytes[high - 1] == UInt8(ascii: "'") || bytes[high - 1] == UInt8(ascii: ")")
            || bytes[high - 1] == UInt8(ascii: ".")
        {
            high -= 1
        }
        let candidate = UnsafeBufferPointer(rebasing: bytes[low..<high])
        guard isValid(candidate) else { return nil }
        return String(unsafeUninitializedCapacity: candidate.count) { buffer in
            for (offset, byte) in candidate.enumerated() {
                buffer[offset] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            }
            return candidate.count
        }
    }

    private static func matchesMailto(_ bytes: UnsafeBufferPointer<UInt8>, _ low: Int) -> Bool {
        let mailto = "mailto:".utf8
        return zip(mailto, bytes[low..<(low + 7)]).allSatisfy { $0 == ($1 | 0x20) }
    }

    static func isValid(_ address: UnsafeBufferPointer<UInt8>) -> Bool {
        guard address.count >= 6, address.count <= 254,
            let at = address.firstIndex(of: UInt8(ascii: "@")), at > 0, at <= 64
        else { return false }
        var previous = UInt8(ascii: ".")
        for index in 0..<at {
            let byte = address[index]
            guard isLocalCharacter(byte) else { return false }
            if byte == UInt8(ascii: ".") && previous == UInt8(ascii: ".") { return false }
            previous = byte
        }
        guard previous != UInt8(ascii: ".") else { return false }
        var labels = 0
        var labelLength = 0
        var labelLettersOnly = true
        var labelStart = UInt8(0)
        var last = UInt8(0)
        for index in (at + 1)..<address.count {
            let byte = address[index]
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0, labelLength <= 63, labelStart != UInt8(ascii: "-"), last != UInt8(ascii: "-")
                else { return false }
                labels += 1
                labelLength = 0
                labelLettersOnly = true
                continue
            }
            let lower = byte | 0x20
            let isLetter = lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
            let isDigit = byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
            guard isLetter || isDigit || byte == UInt8(ascii: "-") else { return false }
            if labelLength == 0 { labelStart = byte }
            if !isLetter { labelLettersOnly = false }
            labelLength += 1
            last = byte
        }
        guard labels >= 1, labelLength >= 2, labelLength <= 63, labelLettersOnly,
            labelStart != UInt8(ascii: "-")
        else { return false }
        return true
    }

    private static func isLocalCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "!"),
            UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "*"), UInt8(ascii: "/"), UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"),
            UInt8(ascii: "`"), UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}

/// The addresses of one cell.
public struct EmailList: Sendable, Equatable {
    /// Valid addresses, lower-cased, without repeats, in the cell's order: the first is primary.
    public var emails: [String] = []
    /// The parts that are not valid addresses, as written.
    public var invalid: [String] = []

    public init(emails: [String] = [], invalid: [String] = []) {
        self.emails = emails
        self.invalid = invalid
    }

    /// The first valid address.
    public var primary: String? { emails.first }
    /// The valid addresses after the first.
    public var alternates: [String] { Array(emails.dropFirst()) }
}
