/// A header reduced to what matching cares about: "Mobile No." == "mobile no" == "MOBILE_NO".
///
/// `compact` keeps letters and digits only, lower-cased, so data-loader API names ("MobilePhone")
/// meet report labels ("Mobile Phone"); `words` splits at punctuation, spaces and camel-case
/// humps for keyword matching.
struct HeaderKey: Hashable, Sendable {
    let compact: String
    let words: [String]

    init(_ header: String) {
        var compact = String.UnicodeScalarView()
        var words: [String] = []
        var word = String.UnicodeScalarView()
        var previousWasLower = false
        func endWord() {
            if !word.isEmpty { words.append(String(word)) }
            word = String.UnicodeScalarView()
        }
        for scalar in header.unicodeScalars {
            let properties = scalar.properties
            guard properties.isAlphabetic || properties.numericType != nil else {
                endWord()
                previousWasLower = false
                continue
            }
            if properties.isUppercase && previousWasLower { endWord() }
            previousWasLower = properties.isLowercase
            for lower in properties.lowercaseMapping.unicodeScalars {
                compact.append(lower)
                word.append(lower)
            }
        }
        endWord()
        self.compact = String(compact)
        self.words = words
    }
}
