/// The grammar of dates over `DateToken`s: a date in one of the accepted shapes, then an
/// optional time and zone, and nothing else.
struct DateTokenReader {
    let tokens: [DateToken]
    let dayFirst: Bool
    private var position = 0

    init(tokens: [DateToken], dayFirst: Bool) {
        self.tokens = tokens
        self.dayFirst = dayFirst
    }

    mutating func read() -> DateFields? {
        if case .word(let word) = peek(), Self.weekdays.contains(word) { position += 1 }
        guard var fields = readDate() else { return nil }
        if position < tokens.count {
            guard let time = readTime() else { return nil }
            fields.time = time
        }
        return position == tokens.count ? fields : nil
    }

    private mutating func readDate() -> DateFields? {
        switch next() {
        case .number(let year, 4):
            let separator = dateSeparator()
            guard let month = readMonth() else { return nil }
            if separator != nil { guard dateSeparator() == separator else { return nil } } else { _ = dateSeparator() }
            guard case .number(let day, 1...2) = next() else { return nil }
            return DateFields(year: year, month: month, day: day)
        case .number(let first, 1...2):
            let separator = dateSeparator()
            if case .word(let word) = peek(), let month = Self.months[word] {
                position += 1
                _ = dateSeparator()
                guard let year = readYear() else { return nil }
                return DateFields(year: year, month: month, day: first)
            }
            guard let separator, case .number(let second, 1...2) = next(), dateSeparator() == separator,
                let year = readYear()
            else { return nil }
            if first > 12 && second <= 12 { return DateFields(year: year, month: second, day: first) }
            if second > 12 && first <= 12 { return DateFields(year: year, month: first, day: second) }
            return dayFirst
                ? DateFields(year: year, month: second, day: first) : DateFields(year: year, month: first, day: second)
        case .word(let word):
            guard let month = Self.months[word] else { return nil }
            _ = dateSeparator()
            guard case .number(let day, 1...2) = next() else { return nil }
            _ = dateSeparator()
            guard let year = readYear() else { return nil }
            return DateFields(year: year, month: month, day: day)
        default:
            return nil
        }
    }

    private mutating func readTime() -> TimeFields? {
        if case .word(let word) = peek(), word == "t" || word == "at" { position += 1 }
        guard case .number(var hour, 1...2) = next(), next() == .symbol(UInt8(ascii: ":")),
            case .number(let minute, 2) = next()
        else { return nil }
        var second = 0
        if peek() == .symbol(UInt8(ascii: ":")) {
            position += 1
            guard case .number(let value, 2) = next() else { return nil }
            second = value
            if peek() == .symbol(UInt8(ascii: ".")) {
                position += 1
                guard case .number = next() else { return nil }
            }
        }
        if case .word(let word) = peek(), word == "am" || word == "pm" {
            position += 1
            guard (1...12).contains(hour) else { return nil }
            hour = hour % 12 + (word == "pm" ? 12 : 0)
        }
        var time = TimeFields(hour: hour, minute: minute, second: second)
        if case .word(let word) = peek() {
            switch word {
            case "z", "utc", "gmt": time.offsetMinutes = 0
            case "ist": time.offsetMinutes = 330
            default: return nil
            }
            position += 1
        }
        if case .symbol(let sign) = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            position += 1
            guard case .number(let value, let digits) = next() else { return nil }
            var minutes: Int
            switch digits {
            case 1, 2:
                minutes = value * 60
                if peek() == .symbol(UInt8(ascii: ":")) {
                    position += 1
                    guard case .number(let extra, 2) = next() else { return nil }
                    minutes += extra
                }
            case 4:
                minutes = value / 100 * 60 + value % 100
            default:
                return nil
            }
            guard minutes <= 14 * 60 else { return nil }
            time.offsetMinutes = sign == UInt8(ascii: "-") ? -minutes : minutes
        }
        return time
    }

    private mutating func readMonth() -> Int? {
        switch next() {
        case .number(let month, 1...2): month
        case .word(let word): Self.months[word]
        default: nil
        }
    }

    private mutating func readYear() -> Int? {
        switch next() {
        case .number(let year, 4): year
        case .number(let year, 2): year < 70 ? 2000 + year : 1900 + year
        default: nil
        }
    }

    /// Consumes a `/`, `-` or `.` and returns it, or nil when the next token is none.
    private mutating func dateSeparator() -> UInt8? {
        if case .symbol(let symbol) = peek(),
            symbol == UInt8(ascii: "/") || symbol == UInt8(ascii: "-") || symbol == UInt8(ascii: ".")
        {
            position += 1
            return symbol
        }
        return nil
    }

    private func peek() -> DateToken? {
        position < tokens.count ? tokens[position] : nil
    }

    private mutating func next() -> DateToken? {
        defer { position += 1 }
        return peek()
    }

    static let months: [String: Int] = [
        "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4, "may": 5,
        "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9,
        "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
    ]

    static let weekdays: Set<String> = [
        "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs", "thursday", "fri",
        "friday", "sat", "saturday", "sun", "sunday",
    ]
}
