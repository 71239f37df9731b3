extension RowNormalizer {
    /// Which phone becomes primary: mobile first, then phone, WhatsApp, alternate.
    static let phoneOrder: [CanonicalField] = [.mobile, .phone, .whatsapp, .altPhone]
    static let emailOrder: [CanonicalField] = [.email, .altEmail]

    // Each builder works in locals and makes its struct once at the end: building a struct of a
    // dozen strings field by field, then copying or dropping it, costs more than the parsing.

    func person(_ cells: RowCells, _ issues: inout [FieldIssue]) -> NormalizedPerson? {
        let name = personName(cells)
        let (phones, whatsapp, primaryRegion, emails) = identities(cells, &issues)
        guard name?.fullName != nil || !phones.isEmpty || !emails.isEmpty else { return nil }

        var country: String?
        var countryCode: String?
        if let cell = cells.country {
            if let region = PhoneRegion.country(named: cell.text) {
                country = region.countryName
                countryCode = region.rawValue
            } else {
                country = cells.display(cell)
            }
        } else if let primaryRegion {
            country = primaryRegion.countryName
            countryCode = primaryRegion.rawValue
        }
        return NormalizedPerson(
            fullName: name?.fullName, firstName: name?.firstName, lastName: name?.lastName,
            salutation: name?.salutation, primaryPhone: phones.first, phones: phones, whatsapp: whatsapp,
            primaryEmail: emails.first, emails: emails, city: cells.display(cells.city),
            state: cells.display(cells.state), country: country, countryCode: countryCode,
            address: cells.address.map(DisplayText.collapse), nameKey: name?.matchKey)
    }

    /// The row's valid phones (E.164, in `phoneOrder`, WhatsApp's noted) and emails, with an
    /// issue for each cell that holds none.
    func identities(_ cells: RowCells, _ issues: inout [FieldIssue]) -> (
        phones: [String], whatsapp: String?, primaryRegion: PhoneRegion?, emails: [String]
    ) {
        var phones: [String] = []
        var whatsapp: String?
        var primaryRegion: PhoneRegion?
        func add(_ result: PhoneParseResult, _ cell: CellRef, _ field: CanonicalField) {
            switch result {
            case .valid(let number):
                if !phones.contains(number.e164) {
                    if phones.isEmpty { primaryRegion = number.region }
                    phones.append(number.e164)
                }
                if field == .whatsapp && whatsapp == nil { whatsapp = number.e164 }
                if let digits = number.extensionDigits {
                    issues.append(
                        FieldIssue(
                            column: cell.column, field: field, code: .phoneExtensionDropped,
                            message: "extension \(digits) dropped: E.164 numbers cannot carry one", raw: cell.text))
                }
            case .invalid(let code, let message):
                issues.append(FieldIssue(column: cell.column, field: field, code: code, message: message, raw: cell.text))
            }
        }
        for field in Self.phoneOrder {
            guard let cell = cells.cell(for: field) else { continue }
            if cell.text.utf8.contains(where: PhoneNormalizer.isListSeparator) {
                for result in phoneNormalizer.normalizeAll(cell.text) { add(result, cell, field) }
            } else {
                add(phoneNormalizer.normalize(cell.text), cell, field)
            }
        }

        var emails: [String] = []
        for field in Self.emailOrder {
            guard let cell = cells.cell(for: field) else { continue }
            let list = emailNormalizer.normalize(cell.text)
            for address in list.emails where !emails.contains(address) { emails.append(address) }
            for invalid in list.invalid {
                issues.append(
                    FieldIssue(
                        column: cell.column, field: field, code: .emailInvalid,
                        message: "\"\(invalid)\" is not a valid email address", raw: cell.text))
            }
        }
        return (phones, whatsapp, primaryRegion, emails)
    }

    private func personName(_ cells: RowCells) -> PersonName? {
        if !cells.formulaColumns.isEmpty {
            let nameCells = [cells.fullName, cells.firstName, cells.lastName]
            if nameCells.contains(where: { $0.map { cells.formulaColumns.contains($0.column) } ?? false }) {
                // A formula is not a name to clean or match on: keep it as written for the reviewer.
                return PersonName(fullName: nameCells.compactMap { $0?.text }.joined(separator: " "))
            }
        }
        return nameNormalizer.normalize(
            fullName: cells.fullName?.text, firstName: cells.firstName?.text, lastName: cells.lastName?.text,
            salutation: cells.salutation?.text)
    }

    func account(_ cells: RowCells) -> NormalizedAccount? {
        let company = cells.company
        let jobTitle = cells.jobTitle
        guard company != nil || jobTitle != nil else { return nil }
        // Company names are brands ("HSBC", "KPMG UK", "eBay"): their case is kept as written.
        return NormalizedAccount(
            name: company.map { DisplayText.collapse($0.text) }, jobTitle: jobTitle.map { DisplayText.collapse($0.text) })
    }

    func lead(_ cells: RowCells, _ issues: inout [FieldIssue]) -> NormalizedLead? {
        let source = cells.source.map { DisplayText.collapse($0.text) }
        let status = cells.status.map { DisplayText.collapse($0.text) }
        let owner = cells.owner.map { DisplayText.collapse($0.text) }
        let externalId = cells.externalId.map { DisplayText.collapse($0.text) }
        var createdAt: String?
        if let cell = cells.createdAt {
            switch dateParser.parse(cell.text) {
            case .parsed(let date):
                createdAt = date.iso
                if date.fromExcelSerial {
                    issues.append(
                        FieldIssue(
                            column: cell.column, field: .leadCreatedAt, code: .dateFromExcelSerial,
                            message: "an Excel day number, read as \(date.iso)", raw: cell.text))
                }
            case .failed(let code, let message):
                issues.append(
                    FieldIssue(column: cell.column, field: .leadCreatedAt, code: code, message: message, raw: cell.text))
            }
        }
        guard
            source != nil || status != nil || owner != nil || cells.notes != nil || externalId != nil
                || createdAt != nil
        else { return nil }
        return NormalizedLead(
            source: source, status: status, owner: owner, createdAt: createdAt, notes: cells.notes,
            externalId: externalId)
    }
}
