import JobContracts
import Testing
import VelocityTypes

/// The syntax check of contract-less payloads: strict JSON objects only, nothing built.
@Suite("JSON syntax check")
struct JSONSyntaxTests {
    @Test(
        "JSON objects pass",
        arguments: [
            "{}", " {\"a\":1} ", "{\"a\":[1,2.5,-3e+2,0,-0.0,1E5],\"b\":{\"c\":null,\"d\":true,\"e\":false}}",
            #"{"s":"quote \" backslash \\ slash \/ \b\f\n\r\t \u00e9 \uD83D\uDE00 ✓"}"#, "\n\t{\"a\" : { } }\r\n",
        ])
    func objects(text: String) {
        #expect(JSONSyntax.isObject(text))
        #expect(JSONValue(parsing: text)?.isObject == true, "the full parser agrees")
    }

    @Test(
        "anything else fails",
        arguments: [
            "", "   ", "[]", "1", "\"s\"", "null", "{", "}", "{\"a\":1,}", "{\"a\":1}{}", "{\"a\":1} x", "{a:1}",
            "{'a':1}", "{\"a\":01}", "{\"a\":.5}", "{\"a\":1.}", "{\"a\":1e}", "{\"a\":-}", "{\"a\":NaN}",
            "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12G4\"}", "{\"a\":\"line\nbreak\"}", "{\"a\" 1}",
            "{\"a\":[1 2]}", "{\"a\":[1,]}", "{\"a\":1 \"b\":2}",
            String(repeating: "{\"a\":", count: 600) + "1" + String(repeating: "}", count: 600),
        ])
    func notObjects(text: String) {
        #expect(!JSONSyntax.isObject(text))
    }

    @Test("a contract-less kind's text payload is syntax-checked; a kind with a contract decodes it")
    func registry() throws {
        let registry = JobKindRegistry.standard
        try registry.checkPayload(text: #"{"file":"leads.csv"}"#, kind: "cpu.task")
        #expect(throws: PayloadError(kind: "cpu.task", field: nil, "must be a JSON object")) {
            try registry.checkPayload(text: "[1]", kind: "cpu.task")
        }
        #expect { try registry.checkPayload(text: #"{"consent":false}"#, kind: "qd.score") } throws: { error in
            (error as? PayloadError)?.kind == "qd.score"
        }
    }
}
