/// Keyword rules for headers that no table knows ("Client Mobile No (Primary)"): the first rule
/// whose words appear in the header wins. Matches are guesses, so they get a low confidence and a
/// note the review screen shows.
enum HeaderKeywords {
    /// A rule: every word group must have a keyword among the header's words; none of the
    /// `unless` keywords may appear. A keyword of four letters or more also matches words it
    /// starts ("remark" in "remarks"); a shorter one only matches itself ("no" is not "notes").
    struct Rule: Sendable {
        let field: CanonicalField
        let groups: [[String]]
        let unless: [String]
    }

    static let confidence = 0.6

    private static let phoneWords = ["phone", "mobile", "mob", "cell", "contact", "number", "tel", "whatsapp"]
    private static let alternateWords = ["alternate", "alternative", "alt", "secondary", "other", "second"]
    /// Dates of events other than the enquiry: never the lead's creation date.
    private static let otherDates = [
        "visit", "follow", "next", "last", "modified", "updated", "activity", "birth", "dob", "anniversary",
        "closing", "possession", "booking",
    ]

    static let rules: [Rule] = [
        Rule(field: .altEmail, groups: [alternateWords, ["email", "mail"]], unless: []),
        Rule(field: .email, groups: [["email", "mail"]], unless: []),
        Rule(field: .altPhone, groups: [alternateWords, phoneWords], unless: []),
        Rule(field: .whatsapp, groups: [["whatsapp"]], unless: []),
        Rule(field: .mobile, groups: [["mobile", "mob", "cell"]], unless: []),
        Rule(field: .phone, groups: [["phone", "telephone", "tel", "landline"]], unless: []),
        Rule(field: .phone, groups: [["contact"], ["no", "num", "number"]], unless: []),
        Rule(field: .budgetMin, groups: [["budget", "price"], ["min", "minimum", "from"]], unless: []),
        Rule(field: .budgetMax, groups: [["budget", "price"], ["max", "maximum", "upto"]], unless: []),
        Rule(field: .budget, groups: [["budget", "price", "investment"]], unless: []),
        Rule(field: .configuration, groups: [["bhk", "config", "typology", "bedroom"]], unless: []),
        Rule(field: .propertyType, groups: [["property", "unit", "asset"], ["type", "category"]], unless: []),
        Rule(field: .project, groups: [["project"]], unless: []),
        Rule(field: .company, groups: [["company", "organisation", "organization", "firm", "employer"]], unless: []),
        Rule(field: .jobTitle, groups: [["designation", "occupation", "profession", "jobtitle"]], unless: []),
        Rule(field: .externalId, groups: [["id", "ref", "reference"], ["lead", "customer", "client", "contact",
            "record", "crm", "enquiry", "inquiry"]], unless: []),
        Rule(field: .firstName, groups: [["first", "given"], ["name"]], unless: []),
        Rule(field: .lastName, groups: [["last", "sur", "family"], ["name"]], unless: []),
        Rule(field: .fullName, groups: [["name"]], unless: ["project", "company", "file", "user", "owner", "agent"]),
        Rule(field: .city, groups: [["city"]], unless: []),
        Rule(field: .state, groups: [["state"]], unless: []),
        Rule(field: .country, groups: [["country"]], unless: []),
        Rule(field: .address, groups: [["address", "street"]], unless: []),
        Rule(field: .locationPreference, groups: [["location", "locality", "area"]], unless: []),
        Rule(field: .notes, groups: [["remark", "comment", "note", "feedback"]], unless: []),
        Rule(field: .leadSource, groups: [["source", "channel"]], unless: []),
        Rule(field: .leadStatus, groups: [["status", "stage"]], unless: []),
        Rule(field: .leadOwner, groups: [["owner", "assigned", "executive", "salesperson", "rm"]], unless: []),
        Rule(field: .leadCreatedAt, groups: [["enquiry", "inquiry", "lead", "created", "create", "received",
            "entry"], ["date", "time", "on"]], unless: otherDates),
    ]

    /// The first rule the header's words satisfy, with the word that decided it.
    static func match(_ key: HeaderKey) -> (field: CanonicalField, keyword: String)? {
        let words = key.words
        guard !words.isEmpty else { return nil }
        for rule in rules {
            if rule.unless.contains(where: { stop in words.contains { matches($0, stop) } }) { continue }
            var decidingWord: String?
            var satisfied = true
            for group in rule.groups {
                guard let hit = words.first(where: { word in group.contains { matches(word, $0) } }) else {
                    satisfied = false
                    break
                }
                if decidingWord == nil { decidingWord = hit }
            }
            if satisfied, let decidingWord { return (rule.field, decidingWord) }
        }
        return nil
    }

    private static func matches(_ word: String, _ keyword: String) -> Bool {
        keyword.utf8.count >= 4 ? word.hasPrefix(keyword) : word == keyword
    }
}
