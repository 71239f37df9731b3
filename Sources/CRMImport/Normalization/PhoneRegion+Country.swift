extension PhoneRegion {
    /// The country a country cell names ("India", "IN", "U.A.E.", "Dubai", "UK", "USA",
    /// "KSA"…), or nil when the name is not one of the known regions.
    public static func country(named text: String) -> PhoneRegion? {
        let key = HeaderKey(text).compact
        guard !key.isEmpty else { return nil }
        return countryAliases[key]
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
