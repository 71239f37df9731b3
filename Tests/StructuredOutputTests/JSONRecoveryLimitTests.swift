import StructuredOutput
import Testing
import VelocityTypes

@Suite("Depth, size and pathological answers")
struct JSONRecoveryLimitTests {
    @Test("nesting up to the limit parses, deeper is refused without exhausting the stack")
    func depthLimit() throws {
        let depth = JSONRecovery.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        var expected = JSONValue.array([])
        for _ in 1..<depth { expected = .array([expected]) }
        #expect(try JSONRecovery.recover(deepest).value == expected)
        #expect(try JSONRecovery.recover(String(repeating: "[", count: depth), truncated: true).value == expected)

        for text in [
            String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1),
            String(repeating: "{\"a\":", count: depth + 1),
            "Prose first. " + String(repeating: "[", count: 200_000),
        ] {
            #expect(throws: JSONRecoveryError.self) { try JSONRecovery.recover(text) }
            do {
                _ = try JSONRecovery.recover(text)
            } catch {
                #expect(error.message == "nesting deeper than \(depth) levels")
            }
        }
    }

    @Test("an answer of a few megabytes", .timeLimit(.minutes(1)))
    func largeAnswer() throws {
        let item = #"{"id": 123456, "name": "item with \"escapes\" and é", "tags": ["a", "b"], "score": 0.25},"#
        let count = 30_000
        let text = "```json\n[" + String(repeating: item, count: count) + "]\n```"
        #expect(text.utf8.count > 2_000_000)
        let recovered = try JSONRecovery.recover(text)
        #expect(recovered.value.arrayValue?.count == count)
        #expect(recovered.repairs.map(\.kind) == [.codeFence, .trailingComma])

        let longString = String(repeating: "x\\n", count: 1_000_000)
        let document = try JSONRecovery.recover("{\"s\": \"\(longString)\"}")
        #expect(document.value["s"]?.stringValue?.utf8.count == 2_000_000)
        #expect(document.isClean)
    }

    @Test("braces that keep failing do not make the search quadratic", .timeLimit(.minutes(1)))
    func pathologicalSearch() throws {
        #expect(throws: JSONRecoveryError.self) {
            try JSONRecovery.recover(String(repeating: "{a b ", count: 300_000))
        }
        // Every '[' starts an attempt that runs to the 'x' at the very end before failing.
        let nested = String(repeating: "[", count: 400) + String(repeating: "1,", count: 200_000) + "x"
        #expect(throws: JSONRecoveryError.self) { try JSONRecovery.recover(nested) }
        let cutStrings = String(repeating: #"{"a": "#, count: 100_000)
        #expect(throws: JSONRecoveryError.self) { try JSONRecovery.recover(cutStrings + "!") }
    }

    @Test("past the list limit, repairs are counted rather than listed", .timeLimit(.minutes(1)))
    func repairListLimit() throws {
        let count = 300
        let text = "[" + String(repeating: "[1,],", count: count) + "]"
        let recovered = try JSONRecovery.recover(text)
        #expect(recovered.value.arrayValue?.count == count)
        #expect(recovered.repairs.count == JSONRecovery.repairListLimit)
        #expect(recovered.unlistedRepairCount == count + 1 - JSONRecovery.repairListLimit)
        #expect(!recovered.isClean)

        // Deep in the document, a pointer per repair would cost the depth each time.
        let depth = JSONRecovery.maximumDepth - 1
        let flood = try JSONRecovery.recover(
            String(repeating: "[", count: depth) + String(repeating: "'a',", count: 100_000)
                + String(repeating: "]", count: depth))
        #expect(flood.repairs.count == JSONRecovery.repairListLimit)
        #expect(flood.repairs.first?.path == String(repeating: "/0", count: depth - 1) + "/0")
        #expect(flood.unlistedRepairCount == 100_001 - JSONRecovery.repairListLimit)

        let cut = try JSONRecovery.recover("[" + String(repeating: "'a',", count: count) + "'b", truncated: true)
        #expect(cut.repairs.last?.kind == .truncated)
        #expect(cut.repairs.count == JSONRecovery.repairListLimit + 1)
    }
}
