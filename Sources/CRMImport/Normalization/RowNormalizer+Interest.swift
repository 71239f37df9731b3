extension RowNormalizer {
    func interest(_ cells: RowCells, _ issues: inout [FieldIssue]) -> NormalizedInterest? {
        let project = cells.display(cells.project)
        let location = cells.display(cells.location)
        var configuration: String?
        var propertyType: PropertyType?
        if let cell = cells.configuration {
            if let parsed = interestParser.parseConfiguration(cell.text) {
                configuration = parsed.configuration
                propertyType = parsed.propertyType
            } else {
                issues.append(
                    FieldIssue(
                        column: cell.column, field: .configuration, code: .configurationUnrecognized,
                        message: "names no unit configuration (\"3 BHK\", \"1 RK\") or property type", raw: cell.text))
            }
        }
        if let cell = cells.propertyType {
            if let type = interestParser.parsePropertyType(cell.text) {
                propertyType = type
            } else {
                issues.append(
                    FieldIssue(
                        column: cell.column, field: .propertyType, code: .propertyTypeUnrecognized,
                        message: "names no known property type", raw: cell.text))
            }
        }
        let budget = budget(cells, &issues)
        guard project != nil || location != nil || configuration != nil || propertyType != nil || budget != nil else {
            return nil
        }
        return NormalizedInterest(
            project: project, configuration: configuration, propertyType: propertyType, budget: budget,
            location: location)
    }

    /// The budget column's range, else a range from the minimum and maximum columns.
    private func budget(_ cells: RowCells, _ issues: inout [FieldIssue]) -> MoneyRange? {
        func parse(_ cell: CellRef?, _ unit: BudgetUnit?, _ field: CanonicalField) -> MoneyRange? {
            guard let cell else { return nil }
            switch budgetParser.parse(cell.text, unit: unit) {
            case .parsed(let range):
                return range
            case .failed(let code, let message):
                issues.append(FieldIssue(column: cell.column, field: field, code: code, message: message, raw: cell.text))
                return nil
            }
        }
        if let range = parse(cells.budget, cells.budgetUnit, .budget) { return range }
        let low = parse(cells.budgetMin, cells.budgetMinUnit, .budgetMin)
        let high = parse(cells.budgetMax, cells.budgetMaxUnit, .budgetMax)
        switch (low, high) {
        case (let low?, let high?):
            guard low.currency == high.currency else {
                issues.append(
                    FieldIssue(
                        column: cells.budgetMax?.column, field: .budgetMax, code: .budgetCurrencyMismatch,
                        message: "minimum in \(low.currency), maximum in \(high.currency)", raw: cells.budgetMax?.text))
                return nil
            }
            return MoneyRange(min: Swift.min(low.min, high.max), max: Swift.max(low.min, high.max), currency: low.currency)
        case (let low?, nil):
            return MoneyRange(min: low.min, max: low.min, currency: low.currency, isOpenEnded: true)
        case (nil, let high?):
            return MoneyRange(min: 0, max: high.max, currency: high.currency)
        case (nil, nil):
            return nil
        }
    }
}
