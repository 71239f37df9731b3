extension PersonNameNormalizer {
    /// One name part cleaned by bytes.
    struct ASCIIPart {
        var text: String?
        var salutation: String?
        var first: String?
        var last: String?
    }

    /// The same rules as the Unicode path, for names that are all ASCII, in one pass over the
    /// bytes: no word arrays, and the cell itself is reused when it is already clean.
    /// False when a part has too many words and the Unicode path must take the name.
    func normalizeASCII(
        fullName: String?, firstName: String?, lastName: String?, salutation: String?, into result: inout PersonName?
    ) -> Bool {
        var name = PersonName()
        if let salutation { name.salutation = canonicalSalutation(salutation) }
        let splitFull = firstName == nil && lastName == nil
        var full: ASCIIPart?
        var first: ASCIIPart?
        var last: ASCIIPart?
        if let fullName {
            guard let part = Self.asciiPart(fullName, stripSalutation: true, split: splitFull) else { return false }
            full = part
        }
        if let firstName {
            guard let part = Self.asciiPart(firstName, stripSalutation: true, split: false) else { return false }
            first = part
        }
        if let lastName {
            guard let part = Self.asciiPart(lastName, stripSalutation: false, split: false) else { return false }
            last = part
        }
        if name.salutation == nil { name.salutation = full?.salutation ?? first?.salutation }
        name.firstName = first?.text
        name.lastName = last?.text
        if let text = full?.text {
            name.fullName = text
            if splitFull {
                name.firstName = full?.first
                name.lastName = full?.last
            }
        } else if let firstText = name.firstName, let lastText = name.lastName {
            name.fullName = firstText + " " + lastText
        } else {
            name.fullName = name.firstName ?? name.lastName
        }
        guard let display = name.fullName else {
            result = name.salutation == nil ? nil : name
            return true
        }
        let key = ASCIIText.matchKey(display)
        name.matchKey = key.isEmpty ? nil : key
        result = name
        return true
    }

    /// A part's words (at most 24), salutation stripped, white space collapsed, case fixed when
    /// all one case; with `split`, also its first and last name. Nil beyond 24 words.
    static func asciiPart(_ text: String, stripSalutation: Bool, split: Bool) -> ASCIIPart? {
        let original = text
        var text = text
        return text.withUTF8 { bytes in
            withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: 24) { words -> ASCIIPart? in
                var count = 0
                var start = -1
                for index in 0...bytes.count {
                    let isSpace = index == bytes.count || ASCIIText.isSpace(bytes[index])
                    if isSpace {
                        if start >= 0 {
                            guard count < 24 else { return nil }
                            words[count] = start..<index
                            count += 1
                            start = -1
                        }
                    } else if start < 0 {
                        start = index
                    }
                }
                var part = ASCIIPart()
                var firstWord = 0
                if stripSalutation {
                    while firstWord < count, let known = honorific(bytes, words[firstWord]) {
                        if part.salutation == nil { part.salutation = known }
                        firstWord += 1
                    }
                    // "Mr.Rahul": the honorific and the name without a space between.
                    if firstWord < count, let dot = words[firstWord].first(where: { bytes[$0] == UInt8(ascii: ".") }),
                        dot + 1 < words[firstWord].upperBound, let known = honorific(bytes, words[firstWord].lowerBound..<(dot + 1))
                    {
                        if part.salutation == nil { part.salutation = known }
                        words[firstWord] = (dot + 1)..<words[firstWord].upperBound
                    }
                }
                guard firstWord < count else { return part }
                var upper = false
                var lower = false
                var length = count - firstWord - 1
                for word in words[firstWord..<count] {
                    length += word.count
                    for index in word {
                        if ASCIIText.isUpper(bytes[index]) { upper = true } else if ASCIIText.isLower(bytes[index]) { lower = true }
                    }
                }
                let fixCase = upper != lower
                // The last name starts at the last word, or at the particles before it.
                var lastStart = count - 1
                if split {
                    while lastStart > firstWord + 1 && isParticle(bytes, words[lastStart - 1]) { lastStart -= 1 }
                }
                var lastOffset = 0
                if firstWord == 0 && !fixCase && length == bytes.count {
                    part.text = original
                    lastOffset = words[lastStart].lowerBound
                } else {
                    part.text = String(unsafeUninitializedCapacity: length) { output in
                        var position = 0
                        for wordIndex in firstWord..<count {
                            if wordIndex > firstWord {
                                output[position] = UInt8(ascii: " ")
                                position += 1
                            }
                            if wordIndex == lastStart { lastOffset = position }
                            let word = words[wordIndex]
                            let middle = wordIndex > firstWord && wordIndex < count - 1
                            if !fixCase {
                                for index in word { output[position] = bytes[index]; position += 1 }
                            } else if middle && isParticle(bytes, word) {
                                for index in word { output[position] = bytes[index] | 0x20; position += 1 }
                            } else {
                                position = ASCIIText.writeTitleCased(bytes, word, into: output, at: position)
                            }
                        }
                        return position
                    }
                }
                if split, count - firstWord > 1, let clean = part.text {
                    ASCIIText.withBytes(clean) { output in
                        part.first = String(decoding: UnsafeBufferPointer(rebasing: output[..<(lastOffset - 1)]), as: UTF8.self)
                        part.last = String(decoding: UnsafeBufferPointer(rebasing: output[lastOffset...]), as: UTF8.self)
                    }
                } else if split {
                    part.first = part.text
                }
                return part
            }
        }
    }

    /// The canonical honorific a word is, compared by its lower-cased bytes packed in an integer.
    private static func honorific(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> String? {
        var end = word.upperBound
        if end > word.lowerBound && bytes[end - 1] == UInt8(ascii: ".") { end -= 1 }
        guard let key = packedKey(bytes, word.lowerBound..<end) else {
            // The one honorific longer than a packed key.
            guard end - word.lowerBound == 9, let head = packedKey(bytes, word.lowerBound..<(end - 1)),
                head == professorHead, bytes[end - 1] | 0x20 == UInt8(ascii: "r")
            else { return nil }
            return "Prof."
        }
        for entry in packedHonorifics where entry.key == key { return entry.canonical }
        return nil
    }

    private static func isParticle(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> Bool {
        guard let key = packedKey(bytes, word) else { return false }
        return packedParticles.contains(key)
    }

    /// Up to 8 letters, lower-cased, as one integer; nil when longer or empty.
    private static func packedKey(_ bytes: UnsafeBufferPointer<UInt8>, _ word: Range<Int>) -> UInt64? {
        guard !word.isEmpty, word.count <= 8 else { return nil }
        var key: UInt64 = 0
        for index in word {
            let byte = bytes[index]
            key = key << 8 | UInt64(ASCIIText.isUpper(byte) ? byte | 0x20 : byte)
        }
        return key
    }

    private static func packedKey(_ text: String) -> UInt64? {
        var text = text
        return text.withUTF8 { packedKey($0, 0..<$0.count) }
    }

    // Linear scans of a few integers beat hashing the word for these short tables.
    private static let packedHonorifics: [(key: UInt64, canonical: String)] = honorifics.compactMap { word, canonical in
        packedKey(word).map { (key: $0, canonical: canonical) }
    }

    private static let professorHead = packedKey("professo") ?? 0

    private static let packedParticles: [UInt64] = particles.compactMap(packedKey)
}
