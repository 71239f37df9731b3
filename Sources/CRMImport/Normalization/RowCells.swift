/// A cell of a row, trimmed, with the column it came from.
struct CellRef {
    let column: Int
    let text: String
}

/// Which column fills each canonical field in one row, before normalization.
///
/// Only column numbers are kept (no strings, so no reference counting while the row is sorted);
/// a field's cell is read back from the row, trimmed, when an entity builder asks for it.
struct RowCells {
    let fields: [String]
    private var fullNameColumn = -1
    private var firstNameColumn = -1
    private var lastNameColumn = -1
    private var salutationColumn = -1
    private var mobileColumn = -1
    private var phoneColumn = -1
    private var whatsappColumn = -1
    private var altPhoneColumn = -1
    private var emailColumn = -1
    private var altEmailColumn = -1
    private var cityColumn = -1
    private var stateColumn = -1
    private var countryColumn = -1
    private var companyColumn = -1
    private var jobTitleColumn = -1
    private var sourceColumn = -1
    private var statusColumn = -1
    private var ownerColumn = -1
    private var createdAtColumn = -1
    private var externalIdColumn = -1
    private var projectColumn = -1
    private var configurationColumn = -1
    private var propertyTypeColumn = -1
    private var budgetColumn = -1
    private var budgetMinColumn = -1
    private var budgetMaxColumn = -1
    private var locationColumn = -1
    var address: String?
    var notes: String?
    var budgetUnit: BudgetUnit?
    var budgetMinUnit: BudgetUnit?
    var budgetMaxUnit: BudgetUnit?
    /// Columns whose cell looked like a formula: kept as text, not cleaned.
    var formulaColumns: Set<Int> = []

    init(fields: [String]) {
        self.fields = fields
    }

    var fullName: CellRef? { cell(at: fullNameColumn) }
    var firstName: CellRef? { cell(at: firstNameColumn) }
    var lastName: CellRef? { cell(at: lastNameColumn) }
    var salutation: CellRef? { cell(at: salutationColumn) }
    var mobile: CellRef? { cell(at: mobileColumn) }
    var phone: CellRef? { cell(at: phoneColumn) }
    var whatsapp: CellRef? { cell(at: whatsappColumn) }
    var altPhone: CellRef? { cell(at: altPhoneColumn) }
    var email: CellRef? { cell(at: emailColumn) }
    var altEmail: CellRef? { cell(at: altEmailColumn) }
    var city: CellRef? { cell(at: cityColumn) }
    var state: CellRef? { cell(at: stateColumn) }
    var country: CellRef? { cell(at: countryColumn) }
    var company: CellRef? { cell(at: companyColumn) }
    var jobTitle: CellRef? { cell(at: jobTitleColumn) }
    var source: CellRef? { cell(at: sourceColumn) }
    var status: CellRef? { cell(at: statusColumn) }
    var owner: CellRef? { cell(at: ownerColumn) }
    var createdAt: CellRef? { cell(at: createdAtColumn) }
    var externalId: CellRef? { cell(at: externalIdColumn) }
    var project: CellRef? { cell(at: projectColumn) }
    var configuration: CellRef? { cell(at: configurationColumn) }
    var propertyType: CellRef? { cell(at: propertyTypeColumn) }
    var budget: CellRef? { cell(at: budgetColumn) }
    var budgetMin: CellRef? { cell(at: budgetMinColumn) }
    var budgetMax: CellRef? { cell(at: budgetMaxColumn) }
    var location: CellRef? { cell(at: locationColumn) }

    private func cell(at column: Int) -> CellRef? {
        guard column >= 0, let text = RowNormalizer.cellText(fields[column]) else { return nil }
        return CellRef(column: column, text: text)
    }

    mutating func store(_ cell: CellRef, for field: CanonicalField, unit: BudgetUnit?) {
        switch field {
        case .fullName: fullNameColumn = cell.column
        case .firstName: firstNameColumn = cell.column
        case .lastName: lastNameColumn = cell.column
        case .salutation: salutationColumn = cell.column
        case .mobile: mobileColumn = cell.column
        case .phone: phoneColumn = cell.column
        case .whatsapp: whatsappColumn = cell.column
        case .altPhone: altPhoneColumn = cell.column
        case .email: emailColumn = cell.column
        case .altEmail: altEmailColumn = cell.column
        case .city: cityColumn = cell.column
        case .state: stateColumn = cell.column
        case .country: countryColumn = cell.column
        case .company: companyColumn = cell.column
        case .jobTitle: jobTitleColumn = cell.column
        case .leadSource: sourceColumn = cell.column
        case .leadStatus: statusColumn = cell.column
        case .leadOwner: ownerColumn = cell.column
        case .leadCreatedAt: createdAtColumn = cell.column
        case .externalId: externalIdColumn = cell.column
        case .project: projectColumn = cell.column
        case .configuration: configurationColumn = cell.column
        case .propertyType: propertyTypeColumn = cell.column
        case .budget:
            budgetColumn = cell.column
            budgetUnit = unit
        case .budgetMin:
            budgetMinColumn = cell.column
            budgetMinUnit = unit
        case .budgetMax:
            budgetMaxColumn = cell.column
            budgetMaxUnit = unit
        case .locationPreference: locationColumn = cell.column
        case .address: address = address.map { $0 + ", " + cell.text } ?? cell.text
        case .notes: notes = notes.map { $0 + "\n" + cell.text } ?? cell.text
        }
    }

    /// The cell of a phone or email field.
    func cell(for field: CanonicalField) -> CellRef? {
        switch field {
        case .mobile: mobile
        case .phone: phone
        case .whatsapp: whatsapp
        case .altPhone: altPhone
        case .email: email
        case .altEmail: altEmail
        default: nil
        }
    }

    /// The display-cleaned text of a cell, or the text as written when it looked like a formula.
    func display(_ cell: CellRef?) -> String? {
        guard let cell else { return nil }
        return formulaColumns.contains(cell.column) ? cell.text : DisplayText.clean(cell.text)
    }
}
