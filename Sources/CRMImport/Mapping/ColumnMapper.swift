/// Maps a file's headers to canonical fields: the profile's own table first (confidence 1.0),
/// then header synonyms (0.9), then keyword guesses (0.6); anything else is unresolved and the
/// batch waits for a reviewer.
///
/// A single-valued field claimed by two columns goes to the one with the higher confidence (the
/// earlier column on a tie); the other moves to `alt_phone` or `alt_email` when it is a phone or
/// an email and that slot is free, and is otherwise left unresolved with a note.
public struct ColumnMapper: Sendable {
    public init() {}

    /// The mapping manifest for a header row; `profile` nil detects it from the headers.
    public func manifest(headers: [String], profile: SourceProfile?) -> MappingManifest {
        let keys = headers.map(HeaderKey.init)
        var notes: [String] = []
        let chosen: SourceProfile
        if let profile {
            chosen = profile
            notes.append("profile \(profile.rawValue) given by the caller")
        } else {
            let detected = SourceProfile.detect(keys: keys.map(\.compact))
            chosen = detected.profile
            notes.append(
                detected.profile == .generic
                    ? "no CRM fingerprint in the headers: generic profile"
                    : "profile \(detected.profile.rawValue) detected from headers: "
                        + detected.markers.joined(separator: ", "))
        }
        let candidates = headers.indices.map { candidate(header: headers[$0], key: keys[$0], profile: chosen) }
        let columns = resolveClaims(headers: headers, candidates: candidates, notes: &notes)
        let guessed = columns.filter { $0.disposition == .mapped && $0.confidence < 0.8 }.count
        if guessed > 0 {
            notes.append("\(guessed) column\(guessed == 1 ? "" : "s") mapped by keyword guess: check them")
        }
        let unresolved = columns.filter { $0.disposition == .unresolved }.count
        if unresolved > 0 {
            notes.append(
                "\(unresolved) unresolved column\(unresolved == 1 ? "" : "s"): the batch waits for a reviewer's "
                    + "mapping edit")
        }
        return MappingManifest(sourceProfile: chosen, columns: columns, resolverNotes: notes)
    }

    /// The unit a budget header names: "Budget (Cr)" crore, "Budget in Lakhs" lakh, "Price (₹)"
    /// rupee, "Budget USD" usd; nil when it names none.
    public static func budgetUnit(header: String) -> BudgetUnit? {
        let key = HeaderKey(header)
        for word in key.words.reversed() {
            if let unit = BudgetUnit(word: word) { return unit }
        }
        if let (_, rest) = budgetBase(key.compact), let unit = unitWord(rest) { return unit }
        return BudgetUnit(symbolIn: header)
    }

    struct Candidate {
        var rule: HeaderRule?
        var confidence: Double
        var unit: BudgetUnit?
        var note: String?
    }

    func candidate(header: String, key: HeaderKey, profile: SourceProfile) -> Candidate {
        if key.compact.isEmpty {
            return Candidate(
                rule: .ignore("blank header: the column's cells are not imported unless a reviewer maps it"),
                confidence: 1.0)
        }
        if let rule = profile.headerRules[key.compact] {
            return Candidate(rule: rule, confidence: 1.0, unit: unit(for: rule, header: header))
        }
        if let rule = HeaderSynonyms.rules[key.compact] {
            return Candidate(rule: rule, confidence: 0.9, unit: unit(for: rule, header: header))
        }
        if let (field, rest) = Self.budgetBase(key.compact) {
            if rest.isEmpty {
                return Candidate(rule: .map(field), confidence: 0.9, unit: BudgetUnit(symbolIn: header))
            }
            if let unit = Self.unitWord(rest) {
                return Candidate(rule: .map(field), confidence: 0.9, unit: unit)
            }
        }
        if let (field, keyword) = HeaderKeywords.match(key) {
            return Candidate(
                rule: .map(field), confidence: HeaderKeywords.confidence,
                unit: field.isBudget ? Self.budgetUnit(header: header) : nil,
                note: "guessed from the word \"\(keyword)\"")
        }
        return Candidate(rule: nil, confidence: 0, note: "not recognized: map it to a field or ignore it")
    }

    private func unit(for rule: HeaderRule, header: String) -> BudgetUnit? {
        switch rule {
        case .map(let field), .fallback(let field): field.isBudget ? Self.budgetUnit(header: header) : nil
        case .ignore: nil
        }
    }

    /// The budget field a compact header starts with, and what follows it ("budgetincr" →
    /// budget, "incr").
    static func budgetBase(_ compact: String) -> (CanonicalField, Substring)? {
        for base in HeaderSynonyms.budgetBases where compact.hasPrefix(base.compact) {
            return (base.field, compact.dropFirst(base.compact.count))
        }
        return nil
    }

    /// A unit written after a budget header, with or without "in" ("cr", "incr", "inlakhs").
    static func unitWord(_ rest: Substring) -> BudgetUnit? {
        if let unit = BudgetUnit(word: String(rest)) { return unit }
        if rest.hasPrefix("in") { return BudgetUnit(word: String(rest.dropFirst(2))) }
        return nil
    }
}
