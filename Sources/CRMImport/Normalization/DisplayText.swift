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
        let words = text.unicodeScalars.split { $0.properties.isWhitespace }
        var upper = 0
        var lower = 0
        for word in words {
            for scalar in word {
                if scalar.properties.isUppercase {
                    upper += 1
                } else if scalar.properties.isLowercase {
                    lower += 1
                }
            }
        }
        let strings = words.map { String(String.UnicodeScalarView($0)) }
        guard (upper == 0) != (lower == 0) else { return strings.joined(separator: " ") }
        let allCaps = lower == 0
        return strings.enumerated().map { index, word in
            if allCaps && isAcronym(word) { return word }
            let lowered = word.lowercased()
            if index > 0 && connectors.contains(lowered) { return lowered }
            return PersonNameNormalizer.titleCase(word, middle: false)
        }.joined(separator: " ")
    }

    /// Whether an all-capitals word is kept: it has a digit ("M3M"), or it is three letters or
    /// fewer and not a common short word ("DLF", "ATS", "BKC").
    static func isAcronym(_ word: String) -> Bool {
        if word.utf8.contains(where: { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            return word.utf8.contains { ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }
        }
        let letters = word.unicodeScalars.filter { $0.properties.isAlphabetic }.count
        return letters > 1 && letters <= 3 && !shortWords.contains(word.lowercased())
    }

    /// ASCII, no white space at the ends or doubled, and both capitals and lower case (or no
    /// letters): already clean, returned as it is without copying.
    static func isTidyMixedCaseASCII(_ text: String) -> Bool {
        var hasUpper = false
        var hasLower = false
        var previousSpace = true
        for byte in text.utf8 {
            if byte >= 0x80 || byte < 0x20 { return false }
            let isSpace = byte == UInt8(ascii: " ")
            if isSpace && previousSpace { return false }
            previousSpace = isSpace
            if byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") {
                hasUpper = true
            } else if byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z") {
                hasLower = true
            }
        }
        return !previousSpace && hasUpper == hasLower
    }

    /// Trimmed and white space collapsed, case untouched.
    static func collapse(_ text: String) -> String {
        var previousSpace = true
        var tidy = true
        for byte in text.utf8 {
            if byte >= 0x80 || byte < 0x20 { tidy = false; break }
            let isSpace = byte == UInt8(ascii: " ")
            if isSpace && previousSpace { tidy = false; break }
            previousSpace = isSpace
        }
        if tidy && !previousSpace { return text }
        return text.unicodeScalars.split { $0.properties.isWhitespace }
            .map { String(String.UnicodeScalarView($0)) }.joined(separator: " ")
    }
}
