extension PhoneNormalizer {
    /// Digits after `+`/`00`: calling code, then a national number checked against its plan.
    static func international(_ digits: UnsafeBufferPointer<UInt8>) -> PhoneParseResult {
        guard digits.count >= 4 else { return .invalid(.phoneTooShort, "too few digits for a phone number") }
        guard digits.count <= 15 else { return .invalid(.phoneTooLong, "more than 15 digits") }
        let zero = UInt8(ascii: "0")
        guard digits[0] != zero else { return .invalid(.phoneInvalidNumber, "no country code starts with 0") }
        let codeLength = PhoneRegion.callingCodeLength(first: digits[0] &- zero, second: digits[1] &- zero)
        var code = 0
        for index in 0..<codeLength { code = code * 10 + Int(digits[index] &- zero) }
        let nsn = UnsafeBufferPointer(rebasing: digits[codeLength...])
        if let region = PhoneRegion.region(callingCode: code, nsn: nsn) {
            if region.accepts(nsn) { return .valid(make(code: code, region: region, nsn: nsn)) }
            if region.hasTrunkZero, nsn.first == zero {
                let withoutTrunk = UnsafeBufferPointer(rebasing: nsn.dropFirst())
                if region.accepts(withoutTrunk) { return .valid(make(code: code, region: region, nsn: withoutTrunk)) }
            }
            let expected = "+\(code) (\(region.countryName)) numbers have \(region.lengthsDescription) after the country code"
            if nsn.count < region.nationalLengths.lowerBound {
                return .invalid(.phoneTooShort, "\(expected); this one has \(nsn.count)")
            }
            if nsn.count > region.nationalLengths.upperBound + (region.hasTrunkZero ? 1 : 0) {
                return .invalid(.phoneTooLong, "\(expected); this one has \(nsn.count)")
            }
            return .invalid(.phoneInvalidNumber, "\(expected) and a valid leading digit; this one does not fit")
        }
        var national = nsn
        if national.first == zero && digits.count > 8 {
            national = UnsafeBufferPointer(rebasing: national.dropFirst())
        }
        guard codeLength + national.count >= 8 else {
            return .invalid(.phoneTooShort, "too few digits for an international number")
        }
        return .valid(make(code: code, region: nil, nsn: national))
    }

    /// Digits without `+`/`00`, read in the default region first.
    func national(_ digits: UnsafeBufferPointer<UInt8>) -> PhoneParseResult {
        let zero = UInt8(ascii: "0")
        let count = digits.count
        guard count > 0 else { return .invalid(.phoneTooShort, "no digits") }
        if defaultRegion == .india {
            if count == 10 && digits[0] != zero {
                return .valid(Self.make(code: 91, region: .india, nsn: digits))
            }
            if count == 11 && digits[0] == zero && digits[1] != zero {
                return .valid(Self.make(code: 91, region: .india, nsn: UnsafeBufferPointer(rebasing: digits[1...])))
            }
            if count == 12 && digits[0] == UInt8(ascii: "9") && digits[1] == UInt8(ascii: "1") && digits[2] != zero {
                return .valid(Self.make(code: 91, region: .india, nsn: UnsafeBufferPointer(rebasing: digits[2...])))
            }
            if count == 11 && Self.startsTollFree(digits) {
                return .invalid(.phoneNotPersonal, "an Indian toll-free number, not a person's")
            }
            if (6...8).contains(count) {
                return .invalid(.phoneMissingAreaCode, "\(count) digits: a landline number without its STD code")
            }
        } else {
            let region = defaultRegion
            if let number = Self.inPlan(region, digits) { return .valid(number) }
            if region.hasTrunkZero && digits[0] == zero,
                let number = Self.inPlan(region, UnsafeBufferPointer(rebasing: digits[1...]))
            {
                return .valid(number)
            }
            if region.callingCode == 1 && digits[0] == UInt8(ascii: "1"),
                let number = Self.inPlan(region, UnsafeBufferPointer(rebasing: digits[1...]))
            {
                return .valid(number)
            }
        }
        // Written without its "+": "971501234567", "447911123456", "14155550132".
        if case .valid(let number) = Self.international(digits), number.countryCode != defaultRegion.callingCode {
            return .valid(number)
        }
        let expected = defaultRegion.lengthsDescription
        if count < 8 {
            return .invalid(.phoneTooShort, "\(count) digits: \(defaultRegion.countryName) numbers have \(expected)")
        }
        if count > 15 { return .invalid(.phoneTooLong, "more than 15 digits") }
        return .invalid(
            .phoneInvalidNumber,
            "\(count) digits fit neither a \(defaultRegion.countryName) number (\(expected)) nor an international one")
    }

    private static func inPlan(_ region: PhoneRegion, _ nsn: UnsafeBufferPointer<UInt8>) -> PhoneNumber? {
        guard region.accepts(nsn) else { return nil }
        let actual = PhoneRegion.region(callingCode: region.callingCode, nsn: nsn) ?? region
        return make(code: region.callingCode, region: actual, nsn: nsn)
    }

    /// 1800 and 1860: Indian toll-free and shared-cost prefixes.
    private static func startsTollFree(_ digits: UnsafeBufferPointer<UInt8>) -> Bool {
        digits[0] == UInt8(ascii: "1") && digits[1] == UInt8(ascii: "8") && digits[3] == UInt8(ascii: "0")
            && (digits[2] == UInt8(ascii: "0") || digits[2] == UInt8(ascii: "6"))
    }

    static func make(code: Int, region: PhoneRegion?, nsn: UnsafeBufferPointer<UInt8>) -> PhoneNumber {
        var codeDigits = (UInt8(0), UInt8(0), UInt8(0))
        let codeLength = code >= 100 ? 3 : code >= 10 ? 2 : 1
        var rest = code
        for position in stride(from: codeLength - 1, through: 0, by: -1) {
            let digit = UInt8(rest % 10) + UInt8(ascii: "0")
            switch position {
            case 0: codeDigits.0 = digit
            case 1: codeDigits.1 = digit
            default: codeDigits.2 = digit
            }
            rest /= 10
        }
        let e164 = String(unsafeUninitializedCapacity: 1 + codeLength + nsn.count) { buffer in
            buffer[0] = UInt8(ascii: "+")
            buffer[1] = codeDigits.0
            if codeLength > 1 { buffer[2] = codeDigits.1 }
            if codeLength > 2 { buffer[3] = codeDigits.2 }
            for (offset, digit) in nsn.enumerated() { buffer[1 + codeLength + offset] = digit }
            return 1 + codeLength + nsn.count
        }
        let national = String(unsafeUninitializedCapacity: nsn.count) { buffer in
            for (offset, digit) in nsn.enumerated() { buffer[offset] = digit }
            return nsn.count
        }
        return PhoneNumber(e164: e164, countryCode: code, region: region, nationalNumber: national)
    }
}
