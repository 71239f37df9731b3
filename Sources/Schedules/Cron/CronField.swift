/// One field of a cron expression: the set of values it allows, as bits.
struct CronField: Equatable, Sendable {
    /// Which field, for messages: "minute", "day of month", …
    let name: String
    let range: ClosedRange<Int>
    /// Bit `v` is set when value `v` matches.
    private(set) var bits: UInt64 = 0
    /// Written with a leading `*` (`*` or `*/n`): cron's "any" for the day-of-month/day-of-week
    /// rule, and for the hour, what makes a schedule follow real time across DST changes.
    private(set) var isStar = false

    /// Names accepted in place of numbers (`JAN`, `MON`), mapped to their values.
    static let monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
    static let weekdayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"]

    init(name: String, range: ClosedRange<Int>) {
        self.name = name
        self.range = range
    }

    func contains(_ value: Int) -> Bool { value >= 0 && value < 64 && bits & (1 << UInt64(value)) != 0 }

    /// The smallest allowed value at or above `value`, or nil when there is none.
    func next(atOrAbove value: Int) -> Int? {
        guard value < 64 else { return nil }
        let above = bits >> UInt64(max(0, value))
        return above == 0 ? nil : max(0, value) + above.trailingZeroBitCount
    }

    /// Parses `text` (`*`, `5`, `1-5`, `*/15`, `10-40/10`, `MON-FRI`, lists of these);
    /// `names` are the words accepted for values starting at `range.lowerBound`, and
    /// `sevenIsZero` lets 7 mean Sunday.
    static func parse(
        _ text: Substring, name: String, range: ClosedRange<Int>, names: [String] = [], sevenIsZero: Bool = false
    ) throws(ScheduleError) -> CronField {
        var field = CronField(name: name, range: range)
        field.isStar = text.hasPrefix("*")
        let upper = sevenIsZero ? range.upperBound + 1 : range.upperBound
        func value(_ token: Substring) throws(ScheduleError) -> Int {
            if let number = Int(token) {
                guard number >= range.lowerBound && number <= upper else {
                    throw ScheduleError(
                        .cronInvalid, "\(name) '\(text)': \(number) is outside \(range.lowerBound)-\(upper)")
                }
                return number
            }
            if let index = names.firstIndex(of: token.uppercased()) { return range.lowerBound + index }
            throw ScheduleError(.cronInvalid, "\(name) '\(text)': '\(token)' is not a number\(names.isEmpty ? "" : " or a name")")
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard !part.isEmpty else { throw ScheduleError(.cronInvalid, "\(name) '\(text)': an empty list item") }
            let pieces = part.split(separator: "/", omittingEmptySubsequences: false)
            guard pieces.count <= 2 else { throw ScheduleError(.cronInvalid, "\(name) '\(text)': more than one '/'") }
            var step = 1
            if pieces.count == 2 {
                guard let s = Int(pieces[1]), s >= 1, s <= range.upperBound - range.lowerBound + 1 else {
                    throw ScheduleError(
                        .cronInvalid,
                        "\(name) '\(text)': the step '\(pieces[1])' must be 1-\(range.upperBound - range.lowerBound + 1)")
                }
                step = s
            }
            let span = pieces[0]
            var low: Int
            var high: Int
            if span == "*" {
                (low, high) = (range.lowerBound, range.upperBound)
            } else if let dash = span.firstIndex(of: "-"), dash != span.startIndex {
                low = try value(span[..<dash])
                high = try value(span[span.index(after: dash)...])
                guard low <= high else {
                    throw ScheduleError(.cronInvalid, "\(name) '\(text)': the range \(span) runs backwards")
                }
            } else {
                low = try value(span)
                // `5/15` is "from 5, every 15", as Vixie cron and Quartz read it.
                high = pieces.count == 2 ? range.upperBound : low
            }
            for v in stride(from: low, through: high, by: step) {
                field.bits |= 1 << UInt64(sevenIsZero && v == 7 ? 0 : v)
            }
        }
        return field
    }
}
