import CRMImport
import Foundation
import Testing

/// Budgets in Indian notation and in buyers' home currencies, with and without a column unit.
@Suite("Budget parser")
struct BudgetParserTests {
    let parser = BudgetParser()

    struct Case: Sendable, CustomTestStringConvertible {
        let text: String
        var unit: BudgetUnit? = nil
        let min: Int64
        let max: Int64
        var currency = "INR"
        var openEnded = false
        var testDescription: String { "\(text) [\(unit?.rawValue ?? "no unit")]" }
    }

    @Test("amounts and ranges", arguments: [
        Case(text: "1.5 Cr", min: 15_000_000, max: 15_000_000),
        Case(text: "1.5Cr", min: 15_000_000, max: 15_000_000),
        Case(text: "1.5 crore", min: 15_000_000, max: 15_000_000),
        Case(text: "2 Crores", min: 20_000_000, max: 20_000_000),
        Case(text: "1.25 cr.", min: 12_500_000, max: 12_500_000),
        Case(text: "85 L", min: 8_500_000, max: 8_500_000),
        Case(text: "85L", min: 8_500_000, max: 8_500_000),
        Case(text: "85 lakh", min: 8_500_000, max: 8_500_000),
        Case(text: "85 lakhs", min: 8_500_000, max: 8_500_000),
        Case(text: "85 lac", min: 8_500_000, max: 8_500_000),
        Case(text: "85 Lacs", min: 8_500_000, max: 8_500_000),
        Case(text: "₹2,00,00,000", min: 20_000_000, max: 20_000_000),
        Case(text: "Rs. 2,00,00,000", min: 20_000_000, max: 20_000_000),
        Case(text: "Rs 50,00,000/-", min: 5_000_000, max: 5_000_000),
        Case(text: "INR 20000000", min: 20_000_000, max: 20_000_000),
        Case(text: "20,000,000", min: 20_000_000, max: 20_000_000),
        Case(text: "2-2.5 Cr", min: 20_000_000, max: 25_000_000),
        Case(text: "1.5 to 2 Cr", min: 15_000_000, max: 20_000_000),
        Case(text: "80L - 1.2Cr", min: 8_000_000, max: 12_000_000),
        Case(text: "1.2 Cr – 1.5 Cr", min: 12_000_000, max: 15_000_000),
        Case(text: "2.5-2 Cr", min: 20_000_000, max: 25_000_000),
        Case(text: "between 2 and 3 Cr", min: 20_000_000, max: 30_000_000),
        Case(text: "approx 1.5 Cr", min: 15_000_000, max: 15_000_000),
        Case(text: "~1.5 Cr", min: 15_000_000, max: 15_000_000),
        Case(text: "above 5 Cr", min: 50_000_000, max: 50_000_000, openEnded: true),
        Case(text: "5 Cr+", min: 50_000_000, max: 50_000_000, openEnded: true),
        Case(text: "5+ Cr", min: 50_000_000, max: 50_000_000, openEnded: true),
        Case(text: "5 Cr onwards", min: 50_000_000, max: 50_000_000, openEnded: true),
        Case(text: "min 5 Cr", min: 50_000_000, max: 50_000_000, openEnded: true),
        Case(text: "upto 2 Cr", min: 0, max: 20_000_000),
        Case(text: "up to 2 Cr", min: 0, max: 20_000_000),
        Case(text: "below 90 L", min: 0, max: 9_000_000),
        Case(text: "$2M", min: 2_000_000, max: 2_000_000, currency: "USD"),
        Case(text: "USD 1.5 million", min: 1_500_000, max: 1_500_000, currency: "USD"),
        Case(text: "US$ 1.2M", min: 1_200_000, max: 1_200_000, currency: "USD"),
        Case(text: "AED 3.5M", min: 3_500_000, max: 3_500_000, currency: "AED"),
        Case(text: "3.5 M AED", min: 3_500_000, max: 3_500_000, currency: "AED"),
        Case(text: "£900k", min: 900_000, max: 900_000, currency: "GBP"),
        Case(text: "EUR 800k", min: 800_000, max: 800_000, currency: "EUR"),
        Case(text: "SGD 2M", min: 2_000_000, max: 2_000_000, currency: "SGD"),
        Case(text: "$1,500,000", min: 1_500_000, max: 1_500_000, currency: "USD"),
        Case(text: "$1-1.5M", min: 1_000_000, max: 1_500_000, currency: "USD"),
    ])
    func notations(_ test: Case) throws {
        let range = try #require(parser.parse(test.text, unit: test.unit).range, "\(test.text)")
        #expect(range == MoneyRange(min: test.min, max: test.max, currency: test.currency, isOpenEnded: test.openEnded))
    }

    @Test("bare numbers take the column's unit", arguments: [
        Case(text: "1.5", unit: .crore, min: 15_000_000, max: 15_000_000),
        Case(text: "0.85", unit: .crore, min: 8_500_000, max: 8_500_000),
        Case(text: "2-2.5", unit: .crore, min: 20_000_000, max: 25_000_000),
        Case(text: "₹ 1.5", unit: .crore, min: 15_000_000, max: 15_000_000),
        Case(text: "20000000", unit: .crore, min: 20_000_000, max: 20_000_000),
        Case(text: "85", unit: .lakh, min: 8_500_000, max: 8_500_000),
        Case(text: "1.2 Cr", unit: .lakh, min: 12_000_000, max: 12_000_000),
        Case(text: "15000000", unit: .rupee, min: 15_000_000, max: 15_000_000),
        Case(text: "2000000", unit: .usd, min: 2_000_000, max: 2_000_000, currency: "USD"),
        Case(text: "3.5M", unit: .aed, min: 3_500_000, max: 3_500_000, currency: "AED"),
        Case(text: "15000000", min: 15_000_000, max: 15_000_000),
        Case(text: "1,50,00,000", min: 15_000_000, max: 15_000_000),
    ])
    func columnUnits(_ test: Case) throws {
        let range = try #require(parser.parse(test.text, unit: test.unit).range, "\(test.text)")
        #expect(range == MoneyRange(min: test.min, max: test.max, currency: test.currency, isOpenEnded: test.openEnded))
    }

    @Test("what cannot be read says why", arguments: [
        ("2", "budget_unit_ambiguous"), ("1.5", "budget_unit_ambiguous"), ("50000", "budget_unit_ambiguous"),
        ("2-3", "budget_unit_ambiguous"), ("Plot", "budget_unparseable"), ("", "budget_unparseable"),
        ("Cr", "budget_unparseable"), ("1 2 3", "budget_unparseable"), ("1.5 Cr 2 Cr", "budget_unparseable"),
        ("1-2-3 Cr", "budget_unparseable"), ("0", "budget_unparseable"), ("0 Cr", "budget_unparseable"),
        ("99999999999999999999 Cr", "budget_unparseable"), ("9999999999999 Cr", "budget_unparseable"),
        ("$2M - AED 3M", "budget_currency_mismatch"), ("1.5 Cr @ flexible", "budget_unparseable"),
    ])
    func failures(text: String, code: String) {
        switch parser.parse(text) {
        case .parsed(let range):
            Issue.record("\(text) read as \(range)")
        case .failed(let found, let message):
            #expect(found.rawValue == code, "\(text): \(message)")
            #expect(!message.isEmpty)
        }
    }

    @Test("a money range's JSON")
    func json() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(MoneyRange(min: 1, max: 2, currency: "INR")), as: UTF8.self)
        #expect(text == #"{"currency":"INR","max":2,"min":1,"open_ended":false}"#)
    }
}
