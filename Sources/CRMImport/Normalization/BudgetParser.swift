/// Reads budgets as Indian sales teams write them: "1.5 Cr", "85 lakhs", "80L - 1.2Cr",
/// "₹2,00,00,000", "Rs. 50,00,000/-", "2-2.5 Cr", "1.5 to 2 Cr", "above 5 Cr", "upto 2 Cr", and
/// foreign buyers' "$2M", "USD 1.5 million", "AED 3.5M", "£900k".
///
/// A number without a multiplier word takes the column's unit: in a crore or lakh column a
/// number under 1,00,000 is crores or lakhs ("1.5" in "Budget (Cr)" is 1.5 crore) and a larger
/// one is whole rupees; in a currency column it is whole units. Without a column unit, a number
/// with a currency sign is whole units, a bare number of 1,00,000 or more is rupees, and a
/// smaller bare number ("2") is refused as `budget_unit_ambiguous`.
public struct BudgetParser: Sendable {
    public init() {}

    /// The budget in a cell; `unit` is the column's unit from the mapping.
    public func parse(_ text: String, unit: BudgetUnit? = nil) -> BudgetParseResult {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = BudgetScanner(bytes: bytes)
            do throws(BudgetScanner.Failure) {
                return resolve(try scanner.scan(), unit: unit, text: bytes)
            } catch {
                return .failed(error.code, error.message)
            }
        }
    }

    private func resolve(
        _ scan: BudgetScanner.Scan, unit: BudgetUnit?, text: UnsafeBufferPointer<UInt8>
    ) -> BudgetParseResult {
        var amounts = scan.amounts
        for index in 0..<amounts.count where amounts[index].mantissa == 0 {
            return .failed(.budgetUnparseable, "the budget is zero")
        }
        if amounts.count == 2 {
            if amounts[0].multiplier == nil { amounts[0].multiplier = amounts[1].multiplier }
            if amounts[1].multiplier == nil { amounts[1].multiplier = amounts[0].multiplier }
        }
        var currency = scan.currency
        var low = Int64.max
        var high = Int64.min
        for index in 0..<amounts.count {
            let amount = amounts[index]
            var multiplier: Int64
            if let given = amount.multiplier {
                multiplier = given.value
                if currency == nil && given.isIndian { currency = "INR" }
            } else if let unit, unit.multiplier > 1, !amount.isAtLeast(100_000) {
                multiplier = unit.multiplier
                if currency == nil { currency = unit.currency }
            } else if let unit {
                multiplier = 1
                if currency == nil { currency = unit.currency }
            } else if scan.currency != nil || amount.isAtLeast(100_000) {
                multiplier = 1
            } else {
                return .failed(
                    .budgetUnitAmbiguous,
                    "\"\(String(decoding: text, as: UTF8.self))\" has no unit: crore, lakh or rupees? "
                        + "Give the column a unit or write it in the cell")
            }
            guard let value = amount.value(times: multiplier) else {
                return .failed(.budgetUnparseable, "the amount is too large")
            }
            low = min(low, value)
            high = max(high, value)
        }
        guard amounts.count > 0, high > 0 else {
            return .failed(.budgetUnparseable, "the budget is zero")
        }
        let code = currency ?? unit?.currency ?? "INR"
        switch scan.bound {
        case .atLeast where amounts.count == 1:
            return .parsed(MoneyRange(min: low, max: low, currency: code, isOpenEnded: true))
        case .atMost where amounts.count == 1:
            return .parsed(MoneyRange(min: 0, max: high, currency: code))
        default:
            return .parsed(MoneyRange(min: low, max: high, currency: code))
        }
    }
}
