extension PhoneRegion {
    /// The region of a calling code and national number; nil for a code outside the table.
    /// +1 is Canada for Canadian area codes, the United States otherwise.
    static func region(callingCode: Int, nsn: UnsafeBufferPointer<UInt8>) -> PhoneRegion? {
        if callingCode == 1 {
            guard nsn.count >= 3 else { return .unitedStates }
            let areaCode = Int(nsn[0] &- 48) * 100 + Int(nsn[1] &- 48) * 10 + Int(nsn[2] &- 48)
            return canadianAreaCodes.contains(areaCode) ? .canada : .unitedStates
        }
        return byCallingCode[callingCode]
    }

    /// How many leading digits of an international number are its calling code. Calling codes
    /// are prefix-free, so this is exact for every assigned code: 1 and 7 are one digit, the
    /// codes below two, every other code three.
    static func callingCodeLength(first: UInt8, second: UInt8) -> Int {
        if first == 1 || first == 7 { return 1 }
        return twoDigitCodes.contains(Int(first) * 10 + Int(second)) ? 2 : 3
    }

    private static let twoDigitCodes: Set<Int> = [
        20, 27, 30, 31, 32, 33, 34, 36, 39, 40, 41, 43, 44, 45, 46, 47, 48, 49, 51, 52, 53, 54, 55, 56, 57, 58,
        60, 61, 62, 63, 64, 65, 66, 81, 82, 84, 86, 90, 91, 92, 93, 94, 95, 98,
    ]

    private static let byCallingCode: [Int: PhoneRegion] = {
        var table: [Int: PhoneRegion] = [:]
        for region in PhoneRegion.allCases where region.callingCode != 1 {
            table[region.callingCode] = region
        }
        return table
    }()

    private static let canadianAreaCodes: Set<Int> = [
        204, 226, 236, 249, 250, 257, 263, 289, 306, 343, 354, 365, 367, 368, 382, 387, 403, 416, 418, 428, 431,
        437, 438, 450, 460, 468, 474, 506, 514, 519, 548, 579, 581, 584, 587, 604, 613, 639, 647, 672, 683, 705,
        709, 742, 753, 778, 780, 782, 807, 819, 825, 867, 873, 879, 902, 905, 942,
    ]
}
