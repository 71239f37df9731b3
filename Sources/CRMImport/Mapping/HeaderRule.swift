/// What a header table says about one header.
enum HeaderRule: Sendable, Equatable {
    /// The column fills the field.
    case map(CanonicalField)
    /// The column fills the field only when no other column does; otherwise it is ignored. For a
    /// profile's second-best source of a field (HubSpot "Lifecycle Stage" beside "Lead Status").
    case fallback(CanonicalField)
    /// A known column the import has no use for; the note says why.
    case ignore(String)

    /// A header table keyed by `HeaderKey.compact`, written with the headers as exports spell them.
    static func table(_ entries: [(String, HeaderRule)]) -> [String: HeaderRule] {
        var table: [String: HeaderRule] = [:]
        for (header, rule) in entries {
            table[HeaderKey(header).compact] = rule
        }
        return table
    }
}
