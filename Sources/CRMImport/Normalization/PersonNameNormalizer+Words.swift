extension PersonNameNormalizer {
    /// Honorifics as written (lower case, no dot) and their canonical spelling.
    static let honorifics: [String: String] = [
        "mr": "Mr.", "mister": "Mr.", "mrs": "Mrs.", "ms": "Ms.", "miss": "Miss", "mx": "Mx.", "dr": "Dr.",
        "doctor": "Dr.", "prof": "Prof.", "professor": "Prof.", "shri": "Shri", "shree": "Shri", "sri": "Sri",
        "smt": "Smt.", "capt": "Capt.", "col": "Col.", "adv": "Adv.", "lt": "Lt.", "maj": "Maj.",
    ]

    /// Lower-case words that belong to the last name that follows them.
    static let particles: Set<String> = [
        "van", "von", "der", "den", "de", "da", "di", "del", "della", "la", "le", "du", "dos", "das", "ter",
        "ten", "bin", "binti", "ibn",
    ]

    /// The words of a text, split at any white space (no-break spaces included).
    static func words(_ text: String) -> [String] {
        if ASCIIText.isASCII(text) { return ASCIIText.words(text) }
        return text.unicodeScalars.split { $0.properties.isWhitespace }.map { String(String.UnicodeScalarView($0)) }
    }

    /// Lower case, by bytes when the word is ASCII.
    static func lowered(_ word: String) -> String {
        ASCIIText.isASCII(word) ? ASCIIText.lowercased(word) : word.lowercased()
    }

    /// The canonical honorific a word is ("Mr", "mr.", "SMT."), or nil.
    static func honorific(_ word: String) -> String? {
        guard word.utf8.count <= 10 else { return nil }
        let key = lowered(word)
        if key.hasSuffix(".") { return honorifics[String(Substring(key.utf8.dropLast()))] }
        return honorifics[key]
    }

    /// Removes the honorifics that start a name and returns the first one, canonical. "Mr.Rahul"
    /// (no space after the dot) counts too. A name that is only an honorific keeps nothing.
    static func stripSalutation(_ words: inout [String]) -> String? {
        var found: String?
        while let first = words.first {
            if let known = honorific(first) {
                if found == nil { found = known }
                words.removeFirst()
            } else if let dot = first.utf8.firstIndex(of: UInt8(ascii: ".")),
                first.utf8.index(after: dot) != first.utf8.endIndex,
                let known = honorific(String(Substring(first.utf8[...dot])))
            {
                if found == nil { found = known }
                words[0] = String(Substring(first.utf8[first.utf8.index(after: dot)...]))
                break
            } else {
                break
            }
        }
        return found
    }

    /// Title-cases the words when the name has letters all in capitals or all in lower case;
    /// otherwise the writer chose the case and it is kept.
    static func fixCase(_ words: [String]) -> [String] {
        if words.allSatisfy(ASCIIText.isASCII) {
            let cases = ASCIIText.letterCases(words)
            guard cases.upper != cases.lower else { return words }
            return words.indices.map { index in
                titleCase(words[index], middle: index > 0 && index < words.count - 1)
            }
        }
        var upper = 0
        var lower = 0
        for word in words {
            for scalar in word.unicodeScalars {
                if scalar.properties.isUppercase {
                    upper += 1
                } else if scalar.properties.isLowercase {
                    lower += 1
                }
            }
        }
        guard (upper == 0) != (lower == 0) else { return words }
        return words.indices.map { index in
            titleCase(words[index], middle: index > 0 && index < words.count - 1)
        }
    }

    /// "d'souza" → "D'Souza", "r.k." → "R.K.", "mcdonald" → "McDonald"; a particle in the middle
    /// of a name stays lower case ("van").
    static func titleCase(_ word: String, middle: Bool) -> String {
        if ASCIIText.isASCII(word) {
            if middle {
                let lower = ASCIIText.lowercased(word)
                if particles.contains(lower) { return lower }
            }
            return ASCIIText.titleCased(word)
        }
        let lowered = word.lowercased()
        if middle && particles.contains(lowered) { return lowered }
        var result = String.UnicodeScalarView()
        var capitalizeNext = true
        var letters = 0
        let isMc = lowered.hasPrefix("mc") && lowered.unicodeScalars.count > 3
        for scalar in lowered.unicodeScalars {
            let isLetter = scalar.properties.isAlphabetic
            if isLetter && (capitalizeNext || (isMc && letters == 2)) {
                result.append(contentsOf: scalar.properties.titlecaseMapping.unicodeScalars)
                capitalizeNext = false
            } else {
                result.append(scalar)
            }
            if isLetter { letters += 1 }
            if scalar == "-" || scalar == "'" || scalar == "’" || scalar == "." || scalar == "(" {
                capitalizeNext = true
            } else if isLetter {
                capitalizeNext = false
            }
        }
        return String(result)
    }

    /// First and last name of a full name's words: the last word and the particles before it are
    /// the last name, the rest the first name.
    static func split(_ words: [String]) -> (first: String?, last: String?) {
        guard words.count > 1 else { return (words.first, nil) }
        var lastStart = words.count - 1
        while lastStart > 1 && particles.contains(lowered(words[lastStart - 1])) { lastStart -= 1 }
        return (words[..<lastStart].joined(separator: " "), words[lastStart...].joined(separator: " "))
    }
}
