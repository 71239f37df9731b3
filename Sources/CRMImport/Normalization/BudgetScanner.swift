/// The lexer and grammar under `BudgetParser`: amounts (a number and its multiplier word), a
/// currency, range separators and bound words, read from UTF-8 bytes.
struct BudgetScanner {
    struct Failure: Error {
        let code: FieldIssueCode
        let message: String
    }

    enum Bound { case exact, atLeast, atMost }

    struct Multiplier {
        let value: Int64
        /// Crore and lakh: the amount is in rupees unless a currency says otherwise.
        let isIndian: Bool
    }

    /// A decimal number, `mantissa / 10^scale`, and the multiplier word after it.
    struct Amount {
        var mantissa: Int64
        var scale: Int
        var multiplier: Multiplier?

        func isAtLeast(_ threshold: Int64) -> Bool {
            mantissa / Self.powerOfTen(scale) >= threshold
        }

        /// The amount times `multiplier`, rounded half up; nil on overflow.
        func value(times multiplier: Int64) -> Int64? {
            let (product, overflow) = mantissa.multipliedReportingOverflow(by: multiplier)
            guard !overflow else { return nil }
            let divisor = Self.powerOfTen(scale)
            return (product + divisor / 2) / divisor
        }

        static func powerOfTen(_ exponent: Int) -> Int64 {
            var result: Int64 = 1
            for _ in 0..<exponent { result *= 10 }
            return result
        }
    }

    /// One or two amounts, without an array to allocate.
    struct Amounts {
        private var storage: (Amount?, Amount?) = (nil, nil)
        private(set) var count = 0

        var isEmpty: Bool { count == 0 }

        mutating func append(_ amount: Amount) {
            if count == 0 { storage.0 = amount } else { storage.1 = amount }
            count += 1
        }

        subscript(index: Int) -> Amount {
            get { (index == 0 ? storage.0 : storage.1) ?? Amount(mantissa: 0, scale: 0) }
            set { if index == 0 { storage.0 = newValue } else { storage.1 = newValue } }
        }
    }

    struct Scan {
        var amounts: Amounts
        var currency: String?
        var bound: Bound
    }

    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0
    private var amounts = Amounts()
    private var currency: String?
    private var bound = Bound.exact
    private var separatorPending = false

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    mutating func scan() throws(Failure) -> Scan {
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                try number()
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"):
                try word(readWord())
            case UInt8(ascii: "$"):
                try setCurrency("USD")
                index += 1
            case UInt8(ascii: "-"), UInt8(ascii: "~"):
                try separator()
                index += 1
            case UInt8(ascii: "/"):
                if let next = nextNonSpace(after: index), bytes[next] == UInt8(ascii: "-") {
                    index = next + 1  // "50,00,000/-": Indian "only"
                } else {
                    try separator()
                    index += 1
                }
            case UInt8(ascii: "+"), UInt8(ascii: ">"):
                bound = .atLeast
                index += 1
            case UInt8(ascii: "<"):
                bound = .atMost
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "."), UInt8(ascii: ","), UInt8(ascii: "("),
                UInt8(ascii: ")"), UInt8(ascii: ":"), UInt8(ascii: "'"), UInt8(ascii: "\""), UInt8(ascii: "\n"),
                UInt8(ascii: "\r"):
                index += 1
            default:
                try symbol()
            }
        }
        guard !amounts.isEmpty else { throw Failure(code: .budgetUnparseable, message: "no amount in the budget") }
        return Scan(amounts: amounts, currency: currency, bound: bound)
    }

    private mutating func number() throws(Failure) {
        var mantissa: Int64 = 0
        var scale = 0
        var sawPoint = false
        var digits = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                digits += 1
                guard digits <= 17 else { throw Failure(code: .budgetUnparseable, message: "the amount is too large") }
                mantissa = mantissa * 10 + Int64(byte &- UInt8(ascii: "0"))
                if sawPoint { scale += 1 }
            } else if byte == UInt8(ascii: ",") && !sawPoint && isDigit(at: index + 1) {
                // Indian or western digit grouping: 2,00,00,000 and 20,000,000 alike.
            } else if byte == UInt8(ascii: ".") && !sawPoint && isDigit(at: index + 1) {
                sawPoint = true
            } else {
                break
            }
            index += 1
        }
        if !amounts.isEmpty && !separatorPending {
            throw Failure(code: .budgetUnparseable, message: "two amounts without \"-\" or \"to\" between them")
        }
        guard amounts.count < 2 else {
            throw Failure(code: .budgetUnparseable, message: "more than two amounts")
        }
        separatorPending = false
        var amount = Amount(mantissa: mantissa, scale: scale)
        // "5+ Cr", "1.5 Cr", "1.5Cr": the multiplier word follows, perhaps after a plus.
        var look = index
        while look < bytes.count && (bytes[look] == UInt8(ascii: " ") || bytes[look] == UInt8(ascii: "+")) {
            if bytes[look] == UInt8(ascii: "+") { bound = .atLeast }
            look += 1
        }
        let wordStart = look
        while look < bytes.count && isLetter(bytes[look]) { look += 1 }
        if look > wordStart, let multiplier = Self.multiplier(lowercased(wordStart..<look)) {
            amount.multiplier = multiplier
            index = look
        }
        amounts.append(amount)
    }

    private mutating func word(_ word: String) throws(Failure) {
        if Self.multiplier(word) != nil {
            throw Failure(code: .budgetUnparseable, message: "\"\(word)\" without an amount before it")
        }
        if let code = Self.currencyWords[word] {
            try setCurrency(code)
            return
        }
        switch word {
        case "to", "and", "till":
            if amounts.count == 1 {
                separatorPending = true
            } else if word == "till" {
                bound = .atMost
            }
        case "above", "over", "min", "minimum", "atleast", "least", "more", "plus", "onwards", "onward", "upwards",
            "starting", "from", "greater":
            bound = .atLeast
        case "below", "under", "upto", "up", "max", "maximum", "within", "less", "lesser", "until":
            bound = .atMost
        case "approx", "approximately", "appx", "around", "about", "budget", "only", "between", "of", "nearly",
            "roughly", "negotiable", "tentative", "at", "than", "the", "total", "range", "price", "amount", "abt",
            "in":
            break
        default:
            throw Failure(code: .budgetUnparseable, message: "\"\(word)\" is not a budget word")
        }
    }

    private mutating func separator() throws(Failure) {
        switch amounts.count {
        case 0: break  // "~2 Cr", "- 2 Cr": decoration before the amount
        case 1: separatorPending = true
        default: throw Failure(code: .budgetUnparseable, message: "more than two amounts")
        }
    }

    /// Multi-byte symbols: ₹ £ € and Unicode dashes; no-break spaces are skipped.
    private mutating func symbol() throws(Failure) {
        func matches(_ sequence: [UInt8]) -> Bool {
            index + sequence.count <= bytes.count
                && sequence.indices.allSatisfy { bytes[index + $0] == sequence[$0] }
        }
        if matches([0xE2, 0x82, 0xB9]) {
            try setCurrency("INR")
            index += 3
        } else if matches([0xC2, 0xA3]) {
            try setCurrency("GBP")
            index += 2
        } else if matches([0xE2, 0x82, 0xAC]) {
            try setCurrency("EUR")
            index += 3
        } else if matches([0xE2, 0x80, 0x93]) || matches([0xE2, 0x80, 0x94]) {
            try separator()
            index += 3
        } else if matches([0xC2, 0xA0]) {
            index += 2
        } else {
            throw Failure(code: .budgetUnparseable, message: "a character a budget does not use")
        }
    }

    private mutating func setCurrency(_ code: String) throws(Failure) {
        if let currency, currency != code {
            throw Failure(code: .budgetCurrencyMismatch, message: "two currencies: \(currency) and \(code)")
        }
        currency = code
    }

    private mutating func readWord() -> String {
        let start = index
        while index < bytes.count && isLetter(bytes[index]) { index += 1 }
        return lowercased(start..<index)
    }

    private func lowercased(_ range: Range<Int>) -> String {
        String(unsafeUninitializedCapacity: range.count) { buffer in
            for (offset, position) in range.enumerated() { buffer[offset] = bytes[position] | 0x20 }
            return range.count
        }
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        let lower = byte | 0x20
        return lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")
    }

    private func isDigit(at position: Int) -> Bool {
        position < bytes.count && bytes[position] >= UInt8(ascii: "0") && bytes[position] <= UInt8(ascii: "9")
    }

    private func nextNonSpace(after position: Int) -> Int? {
        var next = position + 1
        while next < bytes.count && bytes[next] == UInt8(ascii: " ") { next += 1 }
        return next < bytes.count ? next : nil
    }

    static func multiplier(_ word: String) -> Multiplier? {
        switch word {
        case "cr", "crs", "crore", "crores", "cror": Multiplier(value: 10_000_000, isIndian: true)
        case "l", "lac", "lacs", "lakh", "lakhs", "lk", "lkh", "lks", "lacks": Multiplier(value: 100_000, isIndian: true)
        case "k", "thousand", "thousands": Multiplier(value: 1_000, isIndian: false)
        case "m", "mn", "mil", "mio", "million", "millions": Multiplier(value: 1_000_000, isIndian: false)
        case "b", "bn", "billion", "billions": Multiplier(value: 1_000_000_000, isIndian: false)
        default: nil
        }
    }

    static let currencyWords: [String: String] = [
        "rs": "INR", "inr": "INR", "rupees": "INR", "rupee": "INR", "usd": "USD", "us": "USD", "dollars": "USD",
        "dollar": "USD", "aed": "AED", "dhs": "AED", "dh": "AED", "dirhams": "AED", "dirham": "AED", "gbp": "GBP",
        "pounds": "GBP", "sgd": "SGD", "eur": "EUR", "euro": "EUR", "euros": "EUR", "sar": "SAR", "qar": "QAR",
        "cad": "CAD", "aud": "AUD", "hkd": "HKD",
    ]
}
