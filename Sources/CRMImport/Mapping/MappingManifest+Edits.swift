extension MappingManifest {
    /// The note on every column a reviewer set.
    public static let reviewerNote = "set by reviewer"

    /// Applies a reviewer's edits, all or none: the manifest is unchanged when this throws.
    ///
    /// Edited columns get confidence 1.0 and the note "set by reviewer". Throws a `MappingError`
    /// when an edit names a column the file lacks (`mapping_unknown_column`), a header several
    /// columns share (`mapping_ambiguous_column`), a column another edit names
    /// (`mapping_conflicting_edits`), a unit for a non-budget field
    /// (`mapping_unit_not_applicable`), or when two columns would fill one single-valued field
    /// (`mapping_duplicate_field`) — move both columns in one call to swap them.
    public mutating func apply(_ edits: [MappingEdit]) throws {
        var updated = columns
        var edited: Set<Int> = []
        for edit in edits {
            let index = try resolve(edit.column)
            guard edited.insert(index).inserted else {
                throw MappingError(.mappingConflictingEdits, "two edits name column \(describe(index))")
            }
            if let unit = edit.unit, edit.field?.isBudget != true {
                let target = edit.field.map { "field \($0.rawValue)" } ?? "an ignored column"
                throw MappingError(
                    .mappingUnitNotApplicable,
                    "unit \(unit.rawValue) given for column \(describe(index)), \(target); units apply to budget fields")
            }
            let header = columns[index].header
            if let field = edit.field {
                let unit = field.isBudget ? edit.unit ?? ColumnMapper.budgetUnit(header: header) : nil
                updated[index] = ColumnMapping(
                    index: index, header: header, disposition: .mapped, field: field, confidence: 1.0, unit: unit,
                    note: Self.reviewerNote)
            } else {
                updated[index] = ColumnMapping(
                    index: index, header: header, disposition: .ignored, confidence: 1.0, note: Self.reviewerNote)
            }
        }
        var owner: [CanonicalField: Int] = [:]
        for mapping in updated where mapping.disposition == .mapped {
            guard let field = mapping.field, !field.acceptsSeveralColumns else { continue }
            if let first = owner[field] {
                throw MappingError(
                    .mappingDuplicateField,
                    "columns \(describe(first)) and \(describe(mapping.index)) would both fill \(field.rawValue), "
                        + "which takes one column")
            }
            owner[field] = mapping.index
        }
        replaceColumns(updated)
        if !edits.isEmpty {
            resolverNotes.append(
                "\(edits.count) reviewer edit\(edits.count == 1 ? "" : "s") applied; "
                    + (isResolved ? "every column is mapped or ignored" : "\(unmappedColumns.count) still unresolved"))
        }
    }

    private func resolve(_ column: MappingEdit.Column) throws -> Int {
        switch column {
        case .index(let index):
            guard columns.indices.contains(index) else {
                throw MappingError(
                    .mappingUnknownColumn, "column \(index) does not exist: the file has \(columns.count) columns")
            }
            return index
        case .header(let header):
            var matches = columns.filter { $0.header == header }
            if matches.isEmpty {
                let key = HeaderKey(header).compact
                matches = columns.filter { !key.isEmpty && HeaderKey($0.header).compact == key }
            }
            guard let first = matches.first else {
                throw MappingError(.mappingUnknownColumn, "no column has the header \"\(header)\"")
            }
            guard matches.count == 1 else {
                let indexes = matches.map { String($0.index) }.joined(separator: ", ")
                throw MappingError(
                    .mappingAmbiguousColumn,
                    "columns \(indexes) all have the header \"\(header)\"; name the column by index")
            }
            return first.index
        }
    }

    private func describe(_ index: Int) -> String {
        "\(index) \"\(columns[index].header)\""
    }
}
