/// A cell of a row, trimmed, with the column it came from.
struct CellRef {
    let column: Int
    let text: String
}

/// The cells of one row sorted by canonical field, before normalization.
struct RowCells {
    var fullName: CellRef?
    var firstName: CellRef?
    var lastName: CellRef?
    var salutation: CellRef?
    var mobile: CellRef?
    var phone: CellRef?
    var whatsapp: CellRef?
    var altPhone: CellRef?
    var email: CellRef?
    var altEmail: CellRef?
    var city: CellRef?
    var state: CellRef?
    var country: CellRef?
    var address: String?
    var company: CellRef?
    var jobTitle: CellRef?
    var source: CellRef?
    var status: CellRef?
    var owner: CellRef?
    var createdAt: CellRef?
    var notes: String?
    var externalId: CellRef?
    var project: CellRef?
    var configuration: CellRef?
    var propertyType: CellRef?
    var budget: CellRef?
    var budgetMin: CellRef?
    var budgetMax: CellRef?
    var location: CellRef?
    var budgetUnit: BudgetUnit?
    var budgetMinUnit: BudgetUnit?
    var budgetMaxUnit: BudgetUnit?
    /// Columns whose cell looked like a formula: kept as text, not cleaned.
    var formulaColumns: Set<Int> = []

    mutating func store(_ cell: CellRef, for field: CanonicalField, unit: BudgetUnit?) {
        switch field {
        case .fullName: fullName = cell
        case .firstName: firstName = cell
        case .lastName: lastName = cell
        case .salutation: salutation = cell
        case .phone: phone = cell
        case .mobile: mobile = cell
        case .whatsapp: whatsapp = cell
        case .altPhone: altPhone = cell
        case .email: email = cell
        case .altEmail: altEmail = cell
        case .city: city = cell
        case .state: state = cell
        case .country: country = cell
        case .address: address = address.map { $0 + ", " + cell.text } ?? cell.text
        case .company: company = cell
        case .jobTitle: jobTitle = cell
        case .leadSource: source = cell
        case .leadStatus: status = cell
        case .leadOwner: owner = cell
        case .leadCreatedAt: createdAt = cell
        case .notes: notes = notes.map { $0 + "\n" + cell.text } ?? cell.text
        case .externalId: externalId = cell
        case .project: project = cell
        case .configuration: configuration = cell
        case .propertyType: propertyType = cell
        case .budget:
            budget = cell
            budgetUnit = unit
        case .budgetMin:
            budgetMin = cell
            budgetMinUnit = unit
        case .budgetMax:
            budgetMax = cell
            budgetMaxUnit = unit
        case .locationPreference: location = cell
        }
    }

    /// The display-cleaned text of a cell, or the text as written when it looked like a formula.
    func display(_ cell: CellRef?) -> String? {
        guard let cell else { return nil }
        return formulaColumns.contains(cell.column) ? cell.text : DisplayText.clean(cell.text)
    }
}
