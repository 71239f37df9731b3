import Foundation

/// Cleans person names: trims and collapses white space, moves a leading honorific (Mr, Mrs, Ms,
/// Dr, Shri, Smt, Sri, Prof…) into the salutation, title-cases names written all in capitals or
/// all in lower case ("D'SOUZA" → "D'Souza", "mcdonald" → "McDonald", "PIETER VAN DER BERG" →
/// "Pieter van der Berg"), leaves mixed-case names as written, splits a full name into first
/// and last (the last word, with any particles before it, is the last name) and joins first and
/// last when only those are given.
public struct PersonNameNormalizer: Sendable {
    public init() {}

    /// The cleaned name from whichever parts the row has; nil when none has a letter or digit.
    public func normalize(
        fullName: String? = nil, firstName: String? = nil, lastName: String? = nil, salutation: String? = nil
    ) -> PersonName? {
        var result: PersonName?
        if fullName.map(ASCIIText.isASCII) ?? true, firstName.map(ASCIIText.isASCII) ?? true,
            lastName.map(ASCIIText.isASCII) ?? true,
            normalizeASCII(
                fullName: fullName, firstName: firstName, lastName: lastName, salutation: salutation, into: &result)
        {
            return result
        }
        var name = PersonName()
        if let salutation { name.salutation = canonicalSalutation(salutation) }
        var fullWords = fullName.map(Self.words) ?? []
        var firstWords = firstName.map(Self.words) ?? []
        let lastWords = lastName.map(Self.words) ?? []
        if let found = Self.stripSalutation(&fullWords), name.salutation == nil { name.salutation = found }
        if let found = Self.stripSalutation(&firstWords), name.salutation == nil { name.salutation = found }

        let full = Self.fixCase(fullWords)
        let first = Self.fixCase(firstWords)
        let last = Self.fixCase(lastWords)
        if !first.isEmpty { name.firstName = first.joined(separator: " ") }
        if !last.isEmpty { name.lastName = last.joined(separator: " ") }
        if !full.isEmpty {
            name.fullName = full.joined(separator: " ")
            if first.isEmpty && last.isEmpty {
                let split = Self.split(full)
                name.firstName = split.first
                name.lastName = split.last
            }
        } else if !first.isEmpty || !last.isEmpty {
            name.fullName = (first + last).joined(separator: " ")
        }
        guard let display = name.fullName else {
            return name.salutation == nil ? nil : name
        }
        name.matchKey = matchKey(display)
        if name.matchKey?.isEmpty == true { name.matchKey = nil }
        return name
    }

    /// A name part cleaned on its own (white space, case), with no salutation handling.
    public func clean(_ text: String) -> String {
        Self.fixCase(Self.words(text)).joined(separator: " ")
    }

    /// Lower case, diacritics removed, apostrophes and dots dropped, other punctuation a space,
    /// single spaces: "D'Souza" → "dsouza", "José-Luis" → "jose luis".
    public func matchKey(_ text: String) -> String {
        if ASCIIText.isASCII(text) { return ASCIIText.matchKey(text) }
        let source = text.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil)
        var scalars = String.UnicodeScalarView()
        var pendingSpace = false
        for scalar in source.unicodeScalars {
            if scalar == "'" || scalar == "’" || scalar == "." || scalar == "`" { continue }
            let properties = scalar.properties
            if properties.isAlphabetic || properties.numericType != nil {
                if pendingSpace && !scalars.isEmpty { scalars.append(" ") }
                pendingSpace = false
                if scalar.isASCII {
                    let value = scalar.value
                    scalars.append(value >= 65 && value <= 90 ? Unicode.Scalar(UInt8(value) | 0x20) : scalar)
                } else {
                    scalars.append(contentsOf: properties.lowercaseMapping.unicodeScalars)
                }
            } else {
                pendingSpace = true
            }
        }
        return String(scalars)
    }

    /// The canonical spelling of an honorific ("mr" → "Mr.", "SMT" → "Smt."), or the text
    /// cleaned when it is none of the known ones.
    public func canonicalSalutation(_ text: String) -> String? {
        let words = Self.words(text)
        guard !words.isEmpty else { return nil }
        if words.count == 1, let known = Self.honorific(words[0]) { return known }
        return words.joined(separator: " ")
    }
}
