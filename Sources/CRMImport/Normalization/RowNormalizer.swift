/// Projects one source row onto the canonical entities through a mapping manifest.
///
/// Cells are trimmed; empty cells and placeholders ("NA", "N/A", "-", "nil", "null", "none")
/// are skipped. A cell starting with `=` (or `@` outside an email column) is kept as text with a
/// `formula_like_value` issue and is not parsed further; `+` and `-` are data (a `+91…` phone,
/// a "- called twice" note). Every problem becomes a `FieldIssue` holding the raw cell; nothing
/// is dropped silently. Build one per batch and call `normalize` from any thread.
public struct RowNormalizer: Sendable {
    public let manifest: MappingManifest
    public let defaultRegion: PhoneRegion
    public let dayFirst: Bool

    struct Step: Sendable {
        let column: Int
        let field: CanonicalField
        let unit: BudgetUnit?
    }

    let steps: [Step]
    /// The steps of the phone and email columns: all `identityKeys` reads.
    let identitySteps: [Step]
    let phoneNormalizer: PhoneNormalizer
    let emailNormalizer = EmailNormalizer()
    let nameNormalizer = PersonNameNormalizer()
    let budgetParser = BudgetParser()
    let dateParser: DateParser
    let interestParser = PropertyInterestParser()

    public init(manifest: MappingManifest, defaultRegion: PhoneRegion = .india, dayFirst: Bool = true) {
        self.manifest = manifest
        self.defaultRegion = defaultRegion
        self.dayFirst = dayFirst
        self.steps = manifest.columns.compactMap { mapping in
            guard mapping.disposition == .mapped, let field = mapping.field else { return nil }
            return Step(column: mapping.index, field: field, unit: mapping.unit)
        }
        self.identitySteps = steps.filter { Self.phoneOrder.contains($0.field) || Self.emailOrder.contains($0.field) }
        self.phoneNormalizer = PhoneNormalizer(defaultRegion: defaultRegion)
        self.dateParser = DateParser(dayFirst: dayFirst)
    }

    /// The normalized projection of one row's cells (in the file's column order; a short row
    /// reads its missing cells as empty).
    public func normalize(fields: [String]) -> NormalizedRow {
        var issues: [FieldIssue] = []
        let cells = cells(fields, steps: steps, &issues)
        let person = person(cells, &issues)
        let account = account(cells)
        let lead = lead(cells, &issues)
        let interest = interest(cells, &issues)
        if person == nil {
            issues.append(
                FieldIssue(
                    column: nil, field: nil, code: .noIdentity,
                    message: "the row has no name, no valid phone and no valid email", raw: nil))
        }
        return NormalizedRow(person: person, account: account, lead: lead, interest: interest, issues: issues)
    }

    /// The row's identity keys as `normalize` finds them (`p:` and each E.164 phone of the
    /// person, then `e:` and each email), without the rest of the row: all that grouping the
    /// rows of one person needs, at a fraction of a whole row's cost.
    public func identityKeys(fields: [String]) -> [String] {
        var issues: [FieldIssue] = []
        let identities = identities(cells(fields, steps: identitySteps, &issues), &issues)
        return identities.phones.map { "p:" + $0 } + identities.emails.map { "e:" + $0 }
    }

    /// The cells `steps` map, trimmed, placeholders dropped, formula-like cells noted.
    private func cells(_ fields: [String], steps: [Step], _ issues: inout [FieldIssue]) -> RowCells {
        var cells = RowCells(fields: fields)
        for step in steps where step.column < fields.count {
            guard let text = Self.cellText(fields[step.column]) else { continue }
            let cell = CellRef(column: step.column, text: text)
            if Self.looksLikeFormula(text, field: step.field) {
                issues.append(
                    FieldIssue(
                        column: step.column, field: step.field, code: .formulaLikeValue,
                        message: "the cell looks like a spreadsheet formula; it is kept as text", raw: fields[step.column]))
                cells.formulaColumns.insert(step.column)
                if step.field.isStructured { continue }
            }
            cells.store(cell, for: step.field, unit: step.unit)
        }
        return cells
    }

    /// The trimmed cell, or nil for an empty cell or a placeholder.
    static func cellText(_ raw: String) -> String? {
        let (count, first, last) = ASCIIText.withBytes(raw) { bytes in
            (bytes.count, bytes.first ?? 0, bytes.last ?? 0)
        }
        guard count > 0 else { return nil }
        var text = raw
        if isTrimmable(first) || isTrimmable(last) {
            let scalars = raw.unicodeScalars
            guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
                let end = scalars.lastIndex(where: { !$0.properties.isWhitespace })
            else { return nil }
            text = String(scalars[start...end])
        }
        if text.utf8.count <= 4, let first = ASCIIText.withBytes(text, { $0.first }),
            first | 0x20 == UInt8(ascii: "n") || first == UInt8(ascii: "-") || first == UInt8(ascii: "#")
                || first == UInt8(ascii: "."),
            placeholders.contains(PersonNameNormalizer.lowered(text))
        {
            return nil
        }
        return text
    }

    /// White space or any non-ASCII byte (a no-break space, say): the slow, exact trim decides.
    private static func isTrimmable(_ byte: UInt8) -> Bool {
        byte <= UInt8(ascii: " ") || byte >= 0x80
    }

    static let placeholders: Set<String> = ["na", "n/a", "n.a.", "-", "--", "---", "nil", "null", "none", "#n/a", "."]

    static func looksLikeFormula(_ text: String, field: CanonicalField) -> Bool {
        guard let first = ASCIIText.withBytes(text, { $0.first }) else { return false }
        if first == UInt8(ascii: "=") { return !field.isPhone }
        if first == UInt8(ascii: "@") { return field != .email && field != .altEmail }
        return false
    }
}

extension CanonicalField {
    /// Fields whose text is parsed (budgets, dates, configurations): a formula-like cell is not
    /// parsed, only reported.
    var isStructured: Bool {
        switch self {
        case .budget, .budgetMin, .budgetMax, .leadCreatedAt, .configuration, .propertyType, .email, .altEmail:
            true
        default:
            false
        }
    }
}
