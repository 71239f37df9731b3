/// Turns a phone cell into an E.164 number, or says why it cannot be one.
///
/// A number written with `+` or `00` keeps its country code; one without is read in
/// `defaultRegion` (for India: 10 digits, with an optional trunk 0 or 91 prefix; landlines with
/// their STD code), and failing that as an international number whose `+` was lost
/// ("971501234567"). Spaces, dashes, dots, parentheses, a leading apostrophe, an Excel `="…"`
/// wrapper and a trailing ".0" are stripped; "ext 204"/"x204"/"#204" becomes the extension.
/// Scientific notation ("9.19876543210E+11") is refused, never converted: Excel has already
/// rounded digits away.
public struct PhoneNormalizer: Sendable {
    public var defaultRegion: PhoneRegion

    public init(defaultRegion: PhoneRegion = .india) {
        self.defaultRegion = defaultRegion
    }

    /// The cell read as one number.
    public func normalize(_ text: String) -> PhoneParseResult {
        var text = text
        return text.withUTF8 { parse($0) }
    }

    /// The cell read as one or several numbers ("98765 43210 / 91234 56789"): split at `,` `;`
    /// `|` `/` or a line break when every part has at least 7 digits, else read whole.
    public func normalizeAll(_ text: String) -> [PhoneParseResult] {
        var text = text
        return text.withUTF8 { bytes in
            var parts: [Range<Int>] = []
            var start = 0
            for index in bytes.indices where Self.isListSeparator(bytes[index]) {
                parts.append(start..<index)
                start = index + 1
            }
            guard !parts.isEmpty else { return [parse(bytes)] }
            parts.append(start..<bytes.count)
            parts.removeAll { range in range.allSatisfy { Self.isSpace(bytes[$0]) } }
            if parts.count == 1 { return [parse(UnsafeBufferPointer(rebasing: bytes[parts[0]]))] }
            let separate = parts.count > 1
                && parts.allSatisfy { range in range.lazy.filter { Self.isDigit(bytes[$0]) }.count >= 7 }
            guard separate else { return [parse(bytes)] }
            return parts.map { parse(UnsafeBufferPointer(rebasing: bytes[$0])) }
        }
    }

    func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> PhoneParseResult {
        var low = 0
        var high = bytes.count
        Self.trim(bytes, &low, &high)
        if low < high && bytes[low] == UInt8(ascii: "'") {
            low += 1
            Self.trim(bytes, &low, &high)
        }
        if low < high && bytes[low] == UInt8(ascii: "=") {
            low += 1
            if high - low >= 2 && bytes[low] == UInt8(ascii: "\"") && bytes[high - 1] == UInt8(ascii: "\"") {
                low += 1
                high -= 1
            }
            Self.trim(bytes, &low, &high)
        }
        guard low < high else { return .invalid(.phoneTooShort, "no digits") }
        if Self.isScientific(bytes, low, high) {
            return .invalid(
                .phoneScientificNotation,
                "the number is in scientific notation, so a spreadsheet has rounded its digits away: "
                    + "export the column as text")
        }
        Self.dropDecimalZeros(bytes, low, &high)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
            var count = 0
            var plus = false
            var extensionDigits: String?
            var index = low
            scan: while index < high {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"):
                    guard count < 24 else { return .invalid(.phoneTooLong, "more than 15 digits") }
                    digits[count] = byte
                    count += 1
                case UInt8(ascii: "+"):
                    guard count == 0, !plus else {
                        return .invalid(.phoneInvalidCharacters, "a \"+\" in the middle of the number")
                    }
                    plus = true
                case UInt8(ascii: " "), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "("), UInt8(ascii: ")"),
                    UInt8(ascii: "/"), UInt8(ascii: "\t"):
                    break
                case 0xC2 where index + 1 < high && bytes[index + 1] == 0xA0:  // no-break space
                    index += 1
                case 0xE2 where index + 2 < high && bytes[index + 1] == 0x80 && (0x90...0x94).contains(bytes[index + 2]):
                    index += 2  // Unicode hyphens and dashes
                case UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "x"), UInt8(ascii: "X"), UInt8(ascii: "#"):
                    guard count > 0, let digitsAfter = Self.extensionDigits(bytes, index, high) else {
                        return .invalid(.phoneInvalidCharacters, "letters or symbols in a phone number")
                    }
                    extensionDigits = digitsAfter
                    break scan
                default:
                    return .invalid(.phoneInvalidCharacters, "letters or symbols in a phone number")
                }
                index += 1
            }
            var start = 0
            var international = plus
            if count >= 2 && digits[0] == UInt8(ascii: "0") && digits[1] == UInt8(ascii: "0") {
                international = true
                start = 2
            }
            let significant = UnsafeBufferPointer(rebasing: digits[start..<count])
            var result = international ? Self.international(significant) : national(significant)
            if case .valid(var number) = result, let extensionDigits {
                number.extensionDigits = extensionDigits
                result = .valid(number)
            }
            return result
        }
    }
}
