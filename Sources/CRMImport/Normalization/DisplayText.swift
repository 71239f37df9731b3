/// Cleaning for free-text labels (cities, projects, companies, locations): white space trimmed
/// and collapsed, and text written all in capitals or all in lower case title-cased, keeping
/// acronyms of an all-capitals text ("DLF", "M3M", "BKC") as they were.
enum DisplayText {
    /// Short words of an all-capitals text that are words, not acronyms.
    static let shortWords: Set<String> = [
        "the", "of", "at", "by", "and", "in", "on", "one", "two", "sky", "sea", "bay", "new", "old", "top", "hub",
        "pvt", "ltd", "co", "inc", "llp", "for", "to", "a", "an", "mr", "ms", "sr", "jr", "st", "rd", "way", "end",
        "hill", "sun", "oak", "elm", "air", "pine", "art", "gem",
    ]

    /// Words kept in lower case inside a title ("Lodha Park of Worli"); "The" stays capital, as
    /// in the developers' own names ("DLF The Camellias").
    static let connectors: Set<String> = ["of", "and", "at", "in", "on", "by", "for", "to"]

    /// The text trimmed, white space collapsed, case fixed when it was all one case.
    static func clean(_ text: String) -> String {
        if isTidyMixedCaseASCII(text) { return text }
        let words = PersonNameNormalizer.words(text)
        let cases: (upper: Bool, lower: Bool)
        if words.allSatisfy(ASCIIText.isASCII) {
            cases = ASCIIText.letterCases(words)
        } else {
            let scalars = words.lazy.flatMap(\.unicodeScalars)
            cases = (scalars.contains { $0.properties.isUppercase }, scalars.contains { $0.properties.isLowercase })
        }
        guard cases.upper != cases.lower else { return words.joined(separator: " ") }
        let allCaps = !cases.lower
        return words.enumerated().map { index, word in
            if allCaps && isAcronym(word) { return word }
            if index > 0 {
                let lower = PersonNameNormalizer.lowered(word)
                if connectors.contains(lower) { return lower }
            }
            return PersonNameNormalizer.titleCase(word, middle: false)
        }.joined(separator: " ")
    }

    /// Whether an all-capitals word is kept: it has a digit and a letter ("M3M"), or it is two
    /// or three letters and not a common short word ("DLF", "ATS", "BKC").
    static func isAcronym(_ word: String) -> Bool {
        var letters = 0
        var digits = 0
        for scalar in word.unicodeScalars {
            if scalar.isASCII {
                let byte = UInt8(scalar.value)
                if ASCIIText.isLetter(byte) { letters += 1 } else if ASCIIText.isDigit(byte) { digits += 1 }
            } else if scalar.properties.isAlphabetic {
                letters += 1
            }
        }
        if digits > 0 { return letters > 0 }
        return letters > 1 && letters <= 3 && !shortWords.contains(PersonNameNormalizer.lowered(word))
    }

    /// ASCII, no white space at the ends or doubled, and both capitals and lower case (or no
    /// letters): already clean, returned as it is without copying.
    static func isTidyMixedCaseASCII(_ text: String) -> Bool {
        ASCIIText.withBytes(text) { bytes in
            var hasUpper = false
            var hasLower = false
            var previousSpace = true
            for byte in bytes {
                if byte >= 0x80 || byte < 0x20 { return false }
                let isSpace = byte == UInt8(ascii: " ")
                if isSpace && previousSpace { return false }
                previousSpace = isSpace
                if ASCIIText.isUpper(byte) {
                    hasUpper = true
                } else if ASCIIText.isLower(byte) {
                    hasLower = true
                }
            }
            return !previousSpace && hasUpper == hasLower
        }
    }

    /// Trimmed and white space collapsed, case untouched.
    static func collapse(_ text: String) -> String {
        let tidy = ASCIIText.withBytes(text) { bytes in
            var previousSpace = true
            for byte in bytes {
                if byte >= 0x80 || byte < 0x20 { return false }
                let isSpace = byte == UInt8(ascii: " ")
                if isSpace && previousSpace { return false }
                previousSpace = isSpace
            }
            return !previousSpace
        }
        if tidy { return text }
        return text.unicodeScalars.split { $0.properties.isWhitespace }
            .map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }
}
