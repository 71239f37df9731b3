import StructuredOutput
import Testing
import VelocityTypes

@Suite("Repairs say exactly what was repaired, and where")
struct JSONRepairReportTests {
    static let reports: [(text: String, truncated: Bool, repairs: [String])] = [
        (#"{"items": [1,], "b": {"c": 'x'}}"#, false, ["trailing comma at /items", "single quotes at /b/c (value)"]),
        (
            #"{"a": {"b": [1, {"reasoning": "because"#, true,
            ["truncated: dropped incomplete /a/b/1/reasoning, closed 4 containers"]
        ),
        (#"{"a": 1, "rea"#, true, ["truncated: dropped an incomplete key in the root, closed 1 container"]),
        ("[1, 2, ", true, ["truncated: closed 1 container"]),
        (#"{"a/b": {"m~n": [1,]}}"#, false, ["trailing comma at /a~1b/m~0n"]),
        (
            "{\"a\": 1}\n{\"b\": [1,],}", false,
            [
                "additional values: 1 more top-level value",
                "trailing comma at /b (in top-level value 2)",
                "trailing comma at the root (in top-level value 2)",
            ]
        ),
        (
            "Here:\n```json\n{x: NaN, 'y': True}\n```", false,
            [
                "code fence: ```json block", "surrounding text: text before the JSON", "unquoted key at /x (x)",
                "non-finite number at /x (NaN)", "single quotes at /y (key)", "Python literal at /y (True)",
            ]
        ),
        (
            "```json\n[1e999", false,
            ["code fence: ```json block never closed", "truncated: dropped incomplete /0, closed 1 container"]
        ),
        (
            "[-Infinity, 2e400]", false,
            ["non-finite number at /0 (-Infinity)", "non-finite number at /1 (2e400 is beyond a Double)"]
        ),
        (
            "{\"t\": \"a\tb\nc\"} // done", false,
            ["control character at /t (2 raw control characters escaped)", "comment at the root (//)"]
        ),
        ("[{} /* why */]", false, ["comment at the root (/* */)"]),
        ("{\"a\": [1 /* why */]}", false, ["comment at /a (/* */)"]),
    ]

    @Test("descriptions, paths and order", arguments: reports)
    func descriptions(_ report: (text: String, truncated: Bool, repairs: [String])) throws {
        let recovered = try JSONRecovery.recover(report.text, truncated: report.truncated)
        #expect(recovered.repairs.map(\.description) == report.repairs)
    }

    @Test("a repair carries its kind, JSON pointer and detail")
    func repairFields() throws {
        let recovered = try JSONRecovery.recover(
            #"{"reasoning": "because the", "score": 0.9, "tags": ["a", "b"#, truncated: true)
        #expect(
            recovered.value
                == .object(["reasoning": .string("because the"), "score": .double(0.9), "tags": .array([.string("a")])])
        )
        #expect(
            recovered.repairs == [
                JSONRepair(kind: .truncated, path: "/tags/1", detail: "dropped incomplete /tags/1, closed 2 containers")
            ])
        #expect(!recovered.isClean)
    }

    @Test("an error says where recovery gave up")
    func errors() throws {
        #expect(throws: JSONRecoveryError(message: "the answer is empty", offset: 0)) {
            try JSONRecovery.recover(" \n ")
        }
        #expect(throws: JSONRecoveryError(message: "the answer holds no JSON value", offset: 0)) {
            try JSONRecovery.recover("No JSON, sorry.")
        }
        #expect(
            throws: JSONRecoveryError(message: "no JSON value could be read: expected ':' after the key", offset: 11)
        ) {
            try JSONRecovery.recover(#"Oh: {"key" 1}"#)
        }
        do {
            _ = try JSONRecovery.recover("12", truncated: true)
            Issue.record("a lone number cut by the length limit was accepted")
        } catch {
            #expect(error.offset == 0)
            #expect(error.description.contains("may have lost digits"))
        }
    }
}
