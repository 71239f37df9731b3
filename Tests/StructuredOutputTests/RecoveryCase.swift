import StructuredOutput
import Testing
import VelocityTypes

/// One model answer and what recovery must make of it.
struct RecoveryCase: Sendable, CustomTestStringConvertible {
    enum Outcome: Sendable {
        /// The value as strict JSON text, the kinds of repair (in any order, each occurrence
        /// once), and the further top-level values as strict JSON text.
        case recovered(String, [JSONRepair.Kind], additional: [String] = [])
        /// No value: `JSONRecoveryError`.
        case refused
    }

    var name: String
    var text: String
    var truncated: Bool
    var outcome: Outcome

    init(_ name: String, _ text: String, truncated: Bool = false, _ outcome: Outcome) {
        self.name = name
        self.text = text
        self.truncated = truncated
        self.outcome = outcome
    }

    var testDescription: String { name }

    func verify() throws {
        switch outcome {
        case .recovered(let json, let kinds, let additional):
            let expected = try #require(JSONValue(parsing: json), "the expected value is not JSON: \(json)")
            let expectedAdditional = try additional.map { try #require(JSONValue(parsing: $0)) }
            let recovered = try JSONRecovery.recover(text, truncated: truncated)
            #expect(recovered.value == expected)
            #expect(
                recovered.repairs.map(\.kind.rawValue).sorted() == kinds.map(\.rawValue).sorted(),
                "\(recovered.repairs)")
            #expect(recovered.additionalValues == expectedAdditional)
            #expect(recovered.isClean == kinds.isEmpty)
        case .refused:
            #expect(throws: JSONRecoveryError.self) { try JSONRecovery.recover(text, truncated: truncated) }
        }
    }
}
