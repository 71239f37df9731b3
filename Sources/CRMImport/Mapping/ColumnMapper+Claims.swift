extension ColumnMapper {
    /// Turns candidates into one mapping per column, settling fields claimed twice.
    ///
    /// Direct claims go first, strongest first; then fallbacks take the fields still free; then
    /// losing phones and emails move to `alt_phone`/`alt_email` if free; what is left of a lost
    /// claim is unresolved.
    func resolveClaims(headers: [String], candidates: [Candidate], notes: inout [String]) -> [ColumnMapping] {
        var mappings: [ColumnMapping?] = Array(repeating: nil, count: headers.count)
        var owner: [CanonicalField: Int] = [:]
        var lost: [(index: Int, field: CanonicalField)] = []

        func mapped(_ index: Int, _ field: CanonicalField, note: String? = nil) -> ColumnMapping {
            let candidate = candidates[index]
            return ColumnMapping(
                index: index, header: headers[index], disposition: .mapped, field: field,
                confidence: candidate.confidence, unit: field.isBudget ? candidate.unit : nil,
                note: note ?? candidate.note)
        }
        func describe(_ index: Int) -> String { "column \(index) \"\(headers[index])\"" }

        let order = candidates.indices.sorted {
            candidates[$0].confidence != candidates[$1].confidence
                ? candidates[$0].confidence > candidates[$1].confidence : $0 < $1
        }
        for index in order {
            switch candidates[index].rule {
            case .map(let field):
                if field.acceptsSeveralColumns || owner[field] == nil {
                    if !field.acceptsSeveralColumns { owner[field] = index }
                    mappings[index] = mapped(index, field)
                } else {
                    lost.append((index, field))
                }
            case .ignore(let reason):
                mappings[index] = ColumnMapping(
                    index: index, header: headers[index], disposition: .ignored, confidence: 1.0, note: reason)
            case .fallback, nil:
                continue
            }
        }
        for index in order {
            guard case .fallback(let field) = candidates[index].rule else { continue }
            if let first = owner[field], !field.acceptsSeveralColumns {
                mappings[index] = ColumnMapping(
                    index: index, header: headers[index], disposition: .ignored, confidence: 1.0,
                    note: "\(field.rawValue) already comes from \(describe(first))")
            } else {
                owner[field] = index
                mappings[index] = mapped(index, field)
            }
        }
        for (index, field) in lost {
            let first = owner[field] ?? index
            let overflow: CanonicalField? =
                field.isPhone ? .altPhone : (field == .email || field == .altEmail) ? .altEmail : nil
            if let overflow, owner[overflow] == nil {
                owner[overflow] = index
                mappings[index] = mapped(
                    index, overflow, note: "second \(field.isPhone ? "phone" : "email") column: \(field.rawValue) "
                        + "comes from \(describe(first))")
                notes.append("\(describe(index)) mapped to \(overflow.rawValue): \(field.rawValue) is taken")
            } else {
                mappings[index] = ColumnMapping(
                    index: index, header: headers[index], disposition: .unresolved, confidence: 0,
                    note: "also matches \(field.rawValue), which \(describe(first)) already fills")
                notes.append("\(describe(index)) left unresolved: \(field.rawValue) is taken by \(describe(first))")
            }
        }
        return mappings.enumerated().map { index, mapping in
            mapping ?? ColumnMapping(
                index: index, header: headers[index], disposition: .unresolved, confidence: 0,
                note: candidates[index].note)
        }
    }
}
