extension PhoneRegion {
    /// The country a country cell names ("India", "IN", "U.A.E.", "Dubai", "UK", "USA",
    /// "KSA"…), or nil when the name is not one of the known regions.
    public static func country(named text: String) -> PhoneRegion? {
        let key = compactKey(text)
        guard !key.isEmpty else { return nil }
        return countryAliases[key]
    }

    /// `HeaderKey.compact`, by bytes for ASCII text: this runs once per row.
    private static func compactKey(_ text: String) -> String {
        guard ASCIIText.isASCII(text) else { return HeaderKey(text).compact }
        return ASCIIText.withBytes(text) { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                var length = 0
                for byte in bytes where ASCIIText.isLetter(byte) || ASCIIText.isDigit(byte) {
                    buffer[length] = ASCIIText.isUpper(byte) ? byte | 0x20 : byte
                    length += 1
                }
                return length
            }
        }
    }

    private static let countryAliases: [String: PhoneRegion] = {
        var table: [String: PhoneRegion] = [:]
        for region in PhoneRegion.allCases {
            table[HeaderKey(region.countryName).compact] = region
            table[region.rawValue.lowercased()] = region
        }
        let aliases: [(String, PhoneRegion)] = [
            ("ind", .india), ("bharat", .india), ("republic of india", .india),
            ("uae", .uae), ("emirates", .uae), ("dubai", .uae), ("abu dhabi", .uae), ("sharjah", .uae),
            ("uk", .unitedKingdom), ("great britain", .unitedKingdom), ("britain", .unitedKingdom),
            ("england", .unitedKingdom), ("scotland", .unitedKingdom), ("wales", .unitedKingdom),
            ("usa", .unitedStates), ("united states of america", .unitedStates), ("america", .unitedStates),
            ("ksa", .saudiArabia), ("saudi", .saudiArabia), ("kingdom of saudi arabia", .saudiArabia),
            ("holland", .netherlands), ("deutschland", .germany), ("hongkong", .hongKong), ("srilanka", .sriLanka),
        ]
        for (alias, region) in aliases { table[HeaderKey(alias).compact] = region }
        return table
    }()
}
