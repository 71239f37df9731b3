import CRMImport
import Foundation
import Testing
import VelocityTypes

/// A reviewer's mapping edits: applied all or none, refused with a clear error.
@Suite("Mapping edits")
struct MappingEditTests {
    let headers = ["Name", "Mobile", "Favourite Colour", "Budget (Cr)", "Max Budget", "Notes"]

    func manifest() -> MappingManifest {
        ColumnMapper().manifest(headers: headers, profile: nil)
    }

    @Test("mapping an unresolved column by index resolves the batch")
    func mapByIndex() throws {
        var manifest = manifest()
        #expect(!manifest.isResolved)
        try manifest.apply([MappingEdit(column: .index(2), field: .propertyType)])
        let column = manifest.columns[2]
        #expect(column.disposition == .mapped)
        #expect(column.field == .propertyType)
        #expect(column.confidence == 1.0)
        #expect(column.note == "set by reviewer")
        #expect(manifest.isResolved)
        #expect(manifest.unmappedColumns.isEmpty)
        #expect(manifest.resolverNotes.last == "1 reviewer edit applied; every column is mapped or ignored")
    }

    @Test("a column named by its header, exactly or normalized", arguments: ["Favourite Colour", "favourite_colour"])
    func mapByHeader(header: String) throws {
        var manifest = manifest()
        try manifest.apply([MappingEdit(column: .header(header), field: nil)])
        #expect(manifest.columns[2].disposition == .ignored)
        #expect(manifest.columns[2].field == nil)
        #expect(manifest.columns[2].note == MappingManifest.reviewerNote)
        #expect(manifest.isResolved)
    }

    @Test("a unit set on a budget column; a header's unit is kept when the edit gives none")
    func units() throws {
        var manifest = manifest()
        try manifest.apply([
            MappingEdit(column: .index(4), field: .budgetMin, unit: .lakh),
            MappingEdit(column: .index(3), field: .budgetMax),
            MappingEdit(column: .index(2), field: nil),
        ])
        #expect(manifest.columns[4].field == .budgetMin && manifest.columns[4].unit == .lakh)
        #expect(manifest.columns[3].field == .budgetMax && manifest.columns[3].unit == .crore)
        #expect(manifest.resolverNotes.last?.hasPrefix("3 reviewer edits applied") == true)
    }

    @Test("two columns swap fields in one call")
    func swap() throws {
        var manifest = ColumnMapper().manifest(headers: ["Phone", "Mobile"], profile: nil)
        try manifest.apply([MappingEdit(column: .index(0), field: .mobile), MappingEdit(column: .index(1), field: .phone)])
        #expect(manifest.columns.map(\.field) == [.mobile, .phone])
    }

    @Test("refused edits throw their code and leave the manifest as it was", arguments: [
        ([MappingEdit(column: .index(9), field: .city)], VelocityErrorCode.mappingUnknownColumn),
        ([MappingEdit(column: .index(-1), field: .city)], .mappingUnknownColumn),
        ([MappingEdit(column: .header("Nope"), field: .city)], .mappingUnknownColumn),
        ([MappingEdit(column: .index(2), field: .mobile)], .mappingDuplicateField),
        ([MappingEdit(column: .index(2), field: .budget)], .mappingDuplicateField),
        ([MappingEdit(column: .index(2), field: .city), MappingEdit(column: .header("favourite colour"), field: nil)],
            .mappingConflictingEdits),
        ([MappingEdit(column: .index(2), field: .city, unit: .crore)], .mappingUnitNotApplicable),
        ([MappingEdit(column: .index(2), field: nil, unit: .crore)], .mappingUnitNotApplicable),
        ([MappingEdit(column: .index(2), field: .city), MappingEdit(column: .index(9), field: .state)],
            .mappingUnknownColumn),
    ])
    func refusals(edits: [MappingEdit], code: VelocityErrorCode) {
        var manifest = manifest()
        let before = manifest
        #expect(throws: MappingError.self) { try manifest.apply(edits) }
        do {
            try manifest.apply(edits)
        } catch let error as MappingError {
            #expect(error.code == code)
            #expect(!error.message.isEmpty)
            #expect(error.description.hasPrefix("mapping \(code.rawValue): "))
        } catch {
            Issue.record("unexpected \(error)")
        }
        #expect(manifest == before)
    }

    @Test("a header shared by two columns must be named by index")
    func ambiguous() {
        var manifest = ColumnMapper().manifest(headers: ["Name", "Notes", "Notes"], profile: nil)
        #expect(throws: MappingError.self) {
            try manifest.apply([MappingEdit(column: .header("Notes"), field: nil)])
        }
        do {
            try manifest.apply([MappingEdit(column: .header("Notes"), field: nil)])
        } catch let error as MappingError {
            #expect(error.code == .mappingAmbiguousColumn)
            #expect(error.message.contains("1, 2"))
        } catch {
            Issue.record("unexpected \(error)")
        }
        try? manifest.apply([MappingEdit(column: .index(2), field: nil)])
        #expect(manifest.columns[2].disposition == .ignored)
    }

    @Test("edits decode from the review screen's JSON")
    func editJSON() throws {
        let json = #"[{"column": 2, "field": "property_type"}, {"column": "Max Budget", "field": "budget_min", "unit": "lakh"}, {"column": "Notes", "field": null}]"#
        let edits = try JSONDecoder().decode([MappingEdit].self, from: Data(json.utf8))
        #expect(edits == [
            MappingEdit(column: .index(2), field: .propertyType),
            MappingEdit(column: .header("Max Budget"), field: .budgetMin, unit: .lakh),
            MappingEdit(column: .header("Notes"), field: nil),
        ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(edits[2]), as: UTF8.self)
        #expect(text == #"{"column":"Notes","field":null,"unit":null}"#)
        var manifest = manifest()
        try manifest.apply(edits)
        #expect(manifest.isResolved)
        #expect(manifest.columns[5].disposition == .ignored)
    }

    @Test("the manifest's JSON: snake_case keys, is_resolved written, round trip")
    func manifestJSON() throws {
        let manifest = manifest()
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = try encoder.encode(manifest)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["source_profile", "columns", "unmapped_columns", "resolver_notes", "is_resolved"])
        #expect(object["source_profile"] as? String == "generic")
        #expect(object["is_resolved"] as? Bool == false)
        #expect(object["unmapped_columns"] as? [String] == ["Favourite Colour"])
        let columns = try #require(object["columns"] as? [[String: Any]])
        #expect(Set(columns[3].keys) == ["index", "header", "disposition", "field", "confidence", "unit"])
        #expect(columns[3]["unit"] as? String == "crore")
        #expect(columns[3]["field"] as? String == "budget")
        #expect(columns[2]["disposition"] as? String == "unresolved")
        #expect(try JSONDecoder().decode(MappingManifest.self, from: data) == manifest)
    }
}
