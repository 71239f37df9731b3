/// Reads what a lead wants: configurations ("3 BHK", "3bhk", "3 bhk flat", "2.5 BHK", "3+1 BHK",
/// "2/3 BHK", "4 BHK Villa", "1 RK", "3 bed"), property types ("Penthouse", "Plot", "Studio",
/// "Row house", "Duplex", "Office") and project names.
///
/// A configuration without a type word is an apartment; a "+1" stays in the configuration
/// ("3+1 BHK": a room beyond the bedrooms, study or staff) rather than being guessed at.
public struct PropertyInterestParser: Sendable {
    public init() {}

    /// The configuration and type a cell names; nil when it names neither.
    public func parseConfiguration(_ text: String) -> PropertyConfiguration? {
        if let quick = Self.quickConfiguration(text) { return quick }
        if let type = Self.quickType(text) { return PropertyConfiguration(configuration: nil, propertyType: type) }
        let tokens = Self.tokens(text)
        var configuration: String?
        var type: PropertyType?
        var numbers: [String] = []
        var extra: String?
        var afterPlus = false
        var index = 0
        while index < tokens.count {
            let token = tokens[index]
            if let number = Self.bedroomCount(token) {
                if afterPlus && !numbers.isEmpty {
                    extra = number
                } else {
                    numbers.append(number)
                }
                afterPlus = false
            } else if token == "+" {
                afterPlus = true
            } else if Self.joiners.contains(token) {
                afterPlus = false
            } else if let unit = Self.unitWords[token] {
                if configuration == nil, !numbers.isEmpty {
                    configuration = numbers.joined(separator: "/") + (extra.map { "+" + $0 } ?? "") + " " + unit
                }
                numbers.removeAll()
                extra = nil
            } else if index + 1 < tokens.count, let found = Self.typePhrases[token + " " + tokens[index + 1]] {
                type = type ?? found
                index += 1
            } else if let found = Self.typeWords[token] {
                type = type ?? found
            } else {
                numbers.removeAll()
                extra = nil
            }
            index += 1
        }
        if configuration != nil && type == nil { type = .apartment }
        guard configuration != nil || type != nil else { return nil }
        return PropertyConfiguration(configuration: configuration, propertyType: type)
    }

    /// "3 BHK", "3bhk", "2.5 BHK", "1 RK", "3 BHK Flat": the shapes most cells have, read
    /// without building tokens; nil sends anything else to the full reader.
    static func quickConfiguration(_ text: String) -> PropertyConfiguration? {
        ASCIIText.withBytes(text) { bytes -> PropertyConfiguration? in
            var index = 0
            func skipSpaces() { while index < bytes.count && bytes[index] == UInt8(ascii: " ") { index += 1 } }
            func word() -> Range<Int> {
                let start = index
                while index < bytes.count && ASCIIText.isLetter(bytes[index]) { index += 1 }
                return start..<index
            }
            func equals(_ word: Range<Int>, _ lower: StaticString) -> Bool {
                guard word.count == lower.utf8CodeUnitCount else { return false }
                let expected = UnsafeBufferPointer(start: lower.utf8Start, count: lower.utf8CodeUnitCount)
                for offset in 0..<word.count where bytes[word.lowerBound + offset] | 0x20 != expected[offset] {
                    return false
                }
                return true
            }
            skipSpaces()
            guard index < bytes.count, ASCIIText.isDigit(bytes[index]), bytes[index] != UInt8(ascii: "0") else {
                return nil
            }
            var bedrooms = Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
            if bedrooms == 1 && index < bytes.count && bytes[index] == UInt8(ascii: "0") {
                bedrooms = 10
                index += 1
            }
            var half = false
            if index + 1 < bytes.count && bytes[index] == UInt8(ascii: ".")
                && (bytes[index + 1] == UInt8(ascii: "5") || bytes[index + 1] == UInt8(ascii: "0"))
            {
                half = bytes[index + 1] == UInt8(ascii: "5") && bedrooms < 10
                guard bytes[index + 1] == UInt8(ascii: "0") || half else { return nil }
                index += 2
            }
            skipSpaces()
            let unitWord = word()
            let unit: String
            if equals(unitWord, "bhk") {
                unit = " BHK"
            } else if equals(unitWord, "rk") {
                unit = " RK"
            } else {
                return nil
            }
            skipSpaces()
            let typeWord = word()
            guard typeWord.isEmpty || equals(typeWord, "flat") || equals(typeWord, "apartment") else { return nil }
            skipSpaces()
            guard index == bytes.count else { return nil }
            return PropertyConfiguration(
                configuration: String(bedrooms) + (half ? ".5" : "") + unit, propertyType: .apartment)
        }
    }

    /// A cell that is only a type word or phrase ("Penthouse", "Row house"), looked up whole.
    static func quickType(_ text: String) -> PropertyType? {
        guard text.utf8.count <= 20, ASCIIText.isASCII(text) else { return nil }
        let key = ASCIIText.lowercased(DisplayText.collapse(text))
        return typeWords[key] ?? typePhrases[key]
    }

    /// The property type a cell names ("Villa", "Row House", "Flat", "3 BHK" → apartment); nil
    /// when none.
    public func parsePropertyType(_ text: String) -> PropertyType? {
        parseConfiguration(text)?.propertyType
    }

    /// A project name trimmed, white space collapsed, title-cased when written all in capitals
    /// or all in lower case, acronyms kept ("DLF THE CAMELLIAS" → "DLF The Camellias").
    public func normalizeProject(_ text: String) -> String {
        DisplayText.clean(text)
    }

    /// "3", "2.5", "3.0" → "3": a bedroom count from 1 to 10, in halves.
    static func bedroomCount(_ token: String) -> String? {
        var whole = 0
        var fraction: [UInt8] = []
        var sawPoint = false
        for byte in token.utf8 {
            if byte == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else if ASCIIText.isDigit(byte) {
                if sawPoint { fraction.append(byte) } else { whole = whole * 10 + Int(byte - UInt8(ascii: "0")) }
                guard whole <= 10 else { return nil }
            } else {
                return nil
            }
        }
        let isZero = fraction.allSatisfy { $0 == UInt8(ascii: "0") }
        let isHalf = fraction.first == UInt8(ascii: "5") && fraction.dropFirst().allSatisfy { $0 == UInt8(ascii: "0") }
        guard (1...10).contains(whole), isZero || (isHalf && whole < 10) else { return nil }
        return isZero ? String(whole) : String(whole) + ".5"
    }

    /// Lower-case words, numbers (with a decimal point) and the symbols `+ / & , -`; letters and
    /// digits written together are split ("3bhk" → "3", "bhk").
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var start = -1
        var kind = 0  // 0 none, 1 letters, 2 number
        let bytes = Array(text.utf8)
        func flush(_ end: Int) {
            if kind != 0 {
                tokens.append(String(decoding: bytes[start..<end].lazy.map { ASCIIText.isUpper($0) ? $0 | 0x20 : $0 },
                    as: UTF8.self))
            }
            kind = 0
        }
        for (index, byte) in bytes.enumerated() {
            let next: Int
            if ASCIIText.isDigit(byte) || (byte == UInt8(ascii: ".") && kind == 2) {
                next = 2
            } else if ASCIIText.isLetter(byte) || byte >= 0x80 {
                next = 1
            } else {
                next = 0
            }
            if next != kind {
                flush(index)
                if next != 0 { start = index }
                kind = next
            }
            if next == 0, byte == UInt8(ascii: "+") || byte == UInt8(ascii: "/") || byte == UInt8(ascii: "&")
                || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "-")
            {
                tokens.append(String(UnicodeScalar(byte)))
            }
        }
        flush(bytes.count)
        return tokens
    }

    /// Between bedroom counts: "2/3 BHK", "2 & 3 BHK", "2 or 3 BHK".
    static let joiners: Set<String> = ["/", "&", ",", "-", "or", "and"]

    static let unitWords: [String: String] = [
        "bhk": "BHK", "bk": "BHK", "bed": "BHK", "beds": "BHK", "bedroom": "BHK", "bedrooms": "BHK", "br": "BHK",
        "bhks": "BHK", "rk": "RK",
    ]

    static let typeWords: [String: PropertyType] = [
        "flat": .apartment, "flats": .apartment, "apartment": .apartment, "apartments": .apartment,
        "apt": .apartment, "condo": .apartment, "simplex": .apartment, "villa": .villa, "villas": .villa,
        "penthouse": .penthouse, "ph": .penthouse, "plot": .plot, "plots": .plot, "land": .plot,
        "studio": .studio, "rowhouse": .rowHouse, "townhouse": .rowHouse, "duplex": .duplex, "triplex": .duplex,
        "bungalow": .independentHouse, "kothi": .independentHouse, "farmhouse": .farmhouse,
        "commercial": .commercial, "office": .commercial, "shop": .commercial, "retail": .commercial,
        "showroom": .commercial,
    ]

    static let typePhrases: [String: PropertyType] = [
        "row house": .rowHouse, "town house": .rowHouse, "farm house": .farmhouse,
        "independent house": .independentHouse, "independent floor": .apartment, "builder floor": .apartment,
        "office space": .commercial,
    ]
}
