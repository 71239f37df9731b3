extension RowNormalizer {
    func person(_ cells: RowCells, _ issues: inout [FieldIssue]) -> NormalizedPerson? {
        var person = NormalizedPerson()
        fillName(&person, cells)

        var primaryRegion: PhoneRegion?
        for (cell, field) in [(cells.mobile, CanonicalField.mobile), (cells.phone, .phone),
            (cells.whatsapp, .whatsapp), (cells.altPhone, .altPhone)]
        {
            guard let cell else { continue }
            for result in phoneNormalizer.normalizeAll(cell.text) {
                switch result {
                case .valid(let number):
                    if !person.phones.contains(number.e164) {
                        if person.phones.isEmpty { primaryRegion = number.region }
                        person.phones.append(number.e164)
                    }
                    if field == .whatsapp && person.whatsapp == nil { person.whatsapp = number.e164 }
                    if let digits = number.extensionDigits {
                        issues.append(FieldIssue(
                            column: cell.column, field: field, code: .phoneExtensionDropped,
                            message: "extension \(digits) dropped: E.164 numbers cannot carry one", raw: cell.text))
                    }
                case .invalid(let code, let message):
                    issues.append(FieldIssue(column: cell.column, field: field, code: code, message: message, raw: cell.text))
                }
            }
        }
        person.primaryPhone = person.phones.first

        for (cell, field) in [(cells.email, CanonicalField.email), (cells.altEmail, .altEmail)] {
            guard let cell else { continue }
            let list = emailNormalizer.normalize(cell.text)
            for address in list.emails where !person.emails.contains(address) { person.emails.append(address) }
            for invalid in list.invalid {
                issues.append(FieldIssue(
                    column: cell.column, field: field, code: .emailInvalid,
                    message: "\"\(invalid)\" is not a valid email address", raw: cell.text))
            }
        }
        person.primaryEmail = person.emails.first

        guard person.fullName != nil || !person.phones.isEmpty || !person.emails.isEmpty else { return nil }

        person.city = cells.display(cells.city)
        person.state = cells.display(cells.state)
        person.address = cells.address.map(DisplayText.collapse)
        if let country = cells.country {
            if let region = PhoneRegion.country(named: country.text) {
                person.country = region.countryName
                person.countryCode = region.rawValue
            } else {
                person.country = cells.display(country)
            }
        } else if let primaryRegion {
            person.country = primaryRegion.countryName
            person.countryCode = primaryRegion.rawValue
        }
        return person
    }

    private func fillName(_ person: inout NormalizedPerson, _ cells: RowCells) {
        let nameCells = [cells.fullName, cells.firstName, cells.lastName]
        if nameCells.contains(where: { $0.map { cells.formulaColumns.contains($0.column) } ?? false }) {
            // A formula is not a name to clean or match on: keep it as written for the reviewer.
            person.fullName = nameCells.compactMap { $0?.text }.joined(separator: " ")
            return
        }
        guard let name = nameNormalizer.normalize(
            fullName: cells.fullName?.text, firstName: cells.firstName?.text, lastName: cells.lastName?.text,
            salutation: cells.salutation?.text)
        else { return }
        person.fullName = name.fullName
        person.firstName = name.firstName
        person.lastName = name.lastName
        person.salutation = name.salutation
        person.nameKey = name.matchKey
    }

    func account(_ cells: RowCells) -> NormalizedAccount? {
        guard cells.company != nil || cells.jobTitle != nil else { return nil }
        // Company names are brands ("HSBC", "KPMG UK", "eBay"): their case is kept as written.
        return NormalizedAccount(
            name: cells.company.map { DisplayText.collapse($0.text) },
            jobTitle: cells.jobTitle.map { DisplayText.collapse($0.text) })
    }

    func lead(_ cells: RowCells, _ issues: inout [FieldIssue]) -> NormalizedLead? {
        var lead = NormalizedLead(
            source: cells.source.map { DisplayText.collapse($0.text) },
            status: cells.status.map { DisplayText.collapse($0.text) },
            owner: cells.owner.map { DisplayText.collapse($0.text) },
            notes: cells.notes,
            externalId: cells.externalId.map { DisplayText.collapse($0.text) })
        if let cell = cells.createdAt {
            switch dateParser.parse(cell.text) {
            case .parsed(let date):
                lead.createdAt = date.iso
                if date.fromExcelSerial {
                    issues.append(FieldIssue(
                        column: cell.column, field: .leadCreatedAt, code: .dateFromExcelSerial,
                        message: "an Excel day number, read as \(date.iso)", raw: cell.text))
                }
            case .failed(let code, let message):
                issues.append(FieldIssue(column: cell.column, field: .leadCreatedAt, code: code, message: message, raw: cell.text))
            }
        }
        let empty = lead.source == nil && lead.status == nil && lead.owner == nil && lead.notes == nil
            && lead.externalId == nil && lead.createdAt == nil
        return empty ? nil : lead
    }
}
