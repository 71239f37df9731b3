extension PhoneNormalizer {
    static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    static func isSpace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r")
            || byte == UInt8(ascii: "\n")
    }

    static func isListSeparator(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: ",") || byte == UInt8(ascii: ";") || byte == UInt8(ascii: "|")
            || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\n")
    }

    /// Narrows `low..<high` past ASCII white space and no-break spaces at both ends.
    static func trim(_ bytes: UnsafeBufferPointer<UInt8>, _ low: inout Int, _ high: inout Int) {
        while low < high {
            if isSpace(bytes[low]) {
                low += 1
            } else if bytes[low] == 0xC2 && low + 1 < high && bytes[low + 1] == 0xA0 {
                low += 2
            } else {
                break
            }
        }
        while low < high {
            if isSpace(bytes[high - 1]) {
                high -= 1
            } else if high - low >= 2 && bytes[high - 2] == 0xC2 && bytes[high - 1] == 0xA0 {
                high -= 2
            } else {
                break
            }
        }
    }

    /// "9.19876543210E+11": digits, an optional point, digits, E, an optional sign, digits.
    static func isScientific(_ bytes: UnsafeBufferPointer<UInt8>, _ low: Int, _ high: Int) -> Bool {
        var index = low
        if index < high && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
        var mantissaDigits = 0
        var sawPoint = false
        while index < high {
            let byte = bytes[index]
            if isDigit(byte) {
                mantissaDigits += 1
            } else if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        guard mantissaDigits > 0, index < high, bytes[index] | 0x20 == UInt8(ascii: "e") else { return false }
        index += 1
        if index < high && (bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-")) { index += 1 }
        guard index < high else { return false }
        while index < high {
            guard isDigit(bytes[index]) else { return false }
            index += 1
        }
        return true
    }

    /// Drops a ".0" that a spreadsheet added to a number stored as a float ("9876543210.0").
    static func dropDecimalZeros(_ bytes: UnsafeBufferPointer<UInt8>, _ low: Int, _ high: inout Int) {
        var point = high - 1
        while point > low && bytes[point] == UInt8(ascii: "0") { point -= 1 }
        guard point > low, point < high - 1, bytes[point] == UInt8(ascii: ".") else { return }
        var digits = 0
        for index in low..<point {
            let byte = bytes[index]
            if isDigit(byte) {
                digits += 1
            } else if !(index == low && byte == UInt8(ascii: "+")) {
                return
            }
        }
        if digits >= 7 { high = point }
    }

    /// The digits of an extension starting at `index` ("ext. 204", "x204", "#204"), or nil when
    /// what follows is not an extension.
    static func extensionDigits(_ bytes: UnsafeBufferPointer<UInt8>, _ index: Int, _ high: Int) -> String? {
        var position = index
        var keyword: [UInt8] = []
        while position < high, bytes[position] == UInt8(ascii: "#") || (bytes[position] | 0x20) >= UInt8(ascii: "a")
            && (bytes[position] | 0x20) <= UInt8(ascii: "z")
        {
            keyword.append(bytes[position] | 0x20)
            position += 1
        }
        let known: [[UInt8]] = [Array("x".utf8), Array("ext".utf8), Array("extn".utf8), Array("extension".utf8),
            Array("#".utf8)]
        guard known.contains(keyword) else { return nil }
        var digits: [UInt8] = []
        while position < high {
            let byte = bytes[position]
            if isDigit(byte) {
                digits.append(byte)
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: ":") || byte == UInt8(ascii: "-")
                || isSpace(byte)
            {
                if !digits.isEmpty && byte != UInt8(ascii: " ") { return nil }
            } else {
                return nil
            }
            position += 1
        }
        guard !digits.isEmpty, digits.count <= 6 else { return nil }
        return String(decoding: digits, as: UTF8.self)
    }
}
