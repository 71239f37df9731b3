/// The `format` values this module checks when format assertion is on; other formats stay
/// annotations.
enum StringFormat: String, Sendable {
    case date
    case dateTime = "date-time"
    case email
    case uri

    /// What a valid value looks like, for failure messages.
    var example: String {
        switch self {
        case .date: "a date like 2024-05-31"
        case .dateTime: "an RFC 3339 date-time like 2024-05-31T23:59:00Z"
        case .email: "an email address like name@example.com"
        case .uri: "an absolute URI like https://example.com/path"
        }
    }

    func accepts(_ text: String) -> Bool {
        let characters = Array(text.utf8)
        switch self {
        case .date: return Self.isFullDate(characters[...])
        case .dateTime: return Self.isDateTime(characters)
        case .email: return Self.isEmail(text)
        case .uri: return Self.isURI(characters)
        }
    }

    // MARK: RFC 3339 dates and times

    private static func isDateTime(_ characters: [UInt8]) -> Bool {
        guard characters.count > 11, [UInt8(ascii: "T"), UInt8(ascii: "t")].contains(characters[10]) else {
            return false
        }
        return isFullDate(characters[..<10]) && isFullTime(characters[11...])
    }

    /// `YYYY-MM-DD` with a day that exists in that month.
    private static func isFullDate(_ characters: ArraySlice<UInt8>) -> Bool {
        let characters = Array(characters)
        guard characters.count == 10, characters[4] == UInt8(ascii: "-"), characters[7] == UInt8(ascii: "-"),
              let year = number(characters[0..<4]), let month = number(characters[5..<7]),
              let day = number(characters[8..<10]), (1...12).contains(month), day >= 1
        else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }

    /// `HH:MM:SS[.frac](Z|+HH:MM|-HH:MM)`; second 60 only where the time is 23:59 in UTC,
    /// where leap seconds are inserted.
    private static func isFullTime(_ characters: ArraySlice<UInt8>) -> Bool {
        let characters = Array(characters)
        guard characters.count >= 9, characters[2] == UInt8(ascii: ":"), characters[5] == UInt8(ascii: ":"),
              let hour = number(characters[0..<2]), let minute = number(characters[3..<5]),
              let second = number(characters[6..<8]), hour <= 23, minute <= 59, second <= 60
        else { return false }
        var index = 8
        if characters[index] == UInt8(ascii: ".") {
            index += 1
            let digitsStart = index
            while index < characters.count, isDigit(characters[index]) { index += 1 }
            guard index > digitsStart else { return false }
        }
        guard index < characters.count else { return false }
        var offsetMinutes = 0
        switch characters[index] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard index + 1 == characters.count else { return false }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            let offset = characters[(index + 1)...]
            guard offset.count == 5, offset[offset.startIndex + 2] == UInt8(ascii: ":"),
                  let offsetHour = number(offset.prefix(2)), let offsetMinute = number(offset.suffix(2)),
                  offsetHour <= 23, offsetMinute <= 59
            else { return false }
            let sign = characters[index] == UInt8(ascii: "+") ? 1 : -1
            offsetMinutes = sign * (offsetHour * 60 + offsetMinute)
        default:
            return false
        }
        guard second == 60 else { return true }
        let utcMinutes = ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440
        return utcMinutes == 23 * 60 + 59
    }

    private static func number(_ digits: some Collection<UInt8>) -> Int? {
        guard !digits.isEmpty, digits.allSatisfy(isDigit) else { return nil }
        return digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
    }

    private static func isDigit(_ character: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(character)
    }

    // MARK: RFC 5321 mailboxes

    /// A dot-atom or quoted local part, `@`, and a host name or a bracketed IPv4 literal.
    private static func isEmail(_ text: String) -> Bool {
        guard let at = text.lastIndex(of: "@") else { return false }
        let local = text[..<at]
        let domain = text[text.index(after: at)...]
        return isLocalPart(local) && isMailDomain(domain)
    }

    private static func isLocalPart(_ local: Substring) -> Bool {
        if local.count >= 2, local.first == "\"", local.last == "\"" {
            return !local.dropFirst().dropLast().contains { $0 == "\"" || $0 == "\\" || $0.isNewline }
        }
        let atomCharacters = Set("!#$%&'*+-/=?^_`{|}~")
        return !local.isEmpty && local.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { atom in
            !atom.isEmpty && atom.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || atomCharacters.contains($0)) }
        }
    }

    private static func isMailDomain(_ domain: Substring) -> Bool {
        if domain.first == "[", domain.last == "]" {
            let octets = domain.dropFirst().dropLast().split(separator: ".", omittingEmptySubsequences: false)
            return octets.count == 4 && octets.allSatisfy { octet in
                (1...3).contains(octet.count) && octet.allSatisfy(\.isASCII)
                    && Int(octet).map { (0...255).contains($0) } == true
            }
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        return domain.utf8.count <= 253 && labels.allSatisfy { label in
            (1...63).contains(label.count) && label.first != "-" && label.last != "-"
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }
    }

    // MARK: RFC 3986 URIs

    /// An absolute URI: a scheme, `:`, and only characters a URI may hold, with well-formed
    /// percent escapes.
    private static func isURI(_ characters: [UInt8]) -> Bool {
        guard let colon = characters.firstIndex(of: UInt8(ascii: ":")), colon > 0,
              isLetter(characters[0]),
              characters[1..<colon].allSatisfy({ isLetter($0) || isDigit($0) || "+-.".utf8.contains($0) })
        else { return false }
        let allowed = Set("-._~:/?#[]@!$&'()*+,;=".utf8)
        var index = colon + 1
        while index < characters.count {
            let character = characters[index]
            if character == UInt8(ascii: "%") {
                guard index + 2 < characters.count, isHexDigit(characters[index + 1]), isHexDigit(characters[index + 2])
                else { return false }
                index += 3
                continue
            }
            guard isLetter(character) || isDigit(character) || allowed.contains(character) else { return false }
            index += 1
        }
        return true
    }

    private static func isLetter(_ character: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(character | 0x20)
    }

    private static func isHexDigit(_ character: UInt8) -> Bool {
        isDigit(character) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(character | 0x20)
    }
}
