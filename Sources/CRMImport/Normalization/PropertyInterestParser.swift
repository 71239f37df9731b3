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
        let tokens = Self.tokens(text.lowercased())
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

    /// "3", "2.5", "3.0" → "3": a bedroom count from 1 to 10.
    static func bedroomCount(_ token: String) -> String? {
        guard let value = Double(token), value >= 1, value <= 10, (value * 2).rounded() == value * 2 else {
            return nil
        }
        return value == value.rounded() ? String(Int(value)) : token
    }

    /// Words, numbers (with a decimal point) and the symbols `+ / & , -`; letters and digits
    /// written together are split ("3bhk" → "3", "bhk").
    static func tokens(_ text: String) -> [String] {
        var tokens: [String] = []
        var current = ""
        var currentIsNumber = false
        func flush() {
            if !current.isEmpty { tokens.append(current) }
            current = ""
        }
        for character in text {
            if character.isNumber || (character == "." && currentIsNumber) {
                if !currentIsNumber { flush() }
                currentIsNumber = true
                current.append(character)
            } else if character.isLetter {
                if currentIsNumber { flush() }
                currentIsNumber = false
                current.append(character)
            } else {
                flush()
                currentIsNumber = false
                if "+/&,-".contains(character) { tokens.append(String(character)) }
            }
        }
        flush()
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
