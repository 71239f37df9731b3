import JSONSchema
import StructuredOutput
import Testing
import VelocityTypes

/// The one structured-output check: recover, validate, add the caller's rules, and the
/// feedback sent back to the model.
@Suite("Output schema")
struct OutputSchemaTests {
    static let schema: JSONValue = [
        "type": "object",
        "properties": [
            "score": ["type": "integer", "minimum": 1, "maximum": 100],
            "tags": ["type": "array", "items": ["type": "string"]],
        ],
        "required": ["score"],
        "additionalProperties": false,
    ]

    static func output(_ mode: OutputSchema.RequestMode = .jsonSchema) throws -> OutputSchema {
        try OutputSchema(name: "score", schema: schema, mode: mode)
    }

    @Test("each mode asks the server for JSON its own way")
    func responseFormat() throws {
        #expect(
            try Self.output().responseFormat
                == ["type": "json_schema", "json_schema": ["name": "score", "schema": Self.schema, "strict": true]])
        #expect(try Self.output(.jsonObject).responseFormat == ["type": "json_object"])
        #expect(try Self.output(.none).responseFormat == nil)
    }

    @Test("a schema that does not compile is refused when the output is made")
    func badSchema() {
        #expect(throws: SchemaError.self) { try OutputSchema(name: "x", schema: ["type": 5]) }
    }

    @Test("a clean answer is valid with no repairs; a fenced one is valid and says what was repaired")
    func valid() throws {
        let output = try Self.output()
        #expect(output.check(#"{"score": 42}"#, truncated: false) == .valid(["score": 42], repairs: []))
        guard case .valid(let value, let repairs) = output.check("Sure!\n```json\n{\"score\": 42,}\n```", truncated: false)
        else {
            Issue.record("a fenced answer with a trailing comma should be recovered")
            return
        }
        #expect(value == ["score": 42])
        #expect(repairs.map(\.kind).contains(.codeFence))
        #expect(repairs.map(\.kind).contains(.trailingComma))
    }

    @Test(
        "answers that cannot be used are invalid, with problems a model can act on",
        arguments: [
            ("", "the answer is empty"),
            ("I cannot help with that.", "the answer holds no JSON value"),
            (#"{"score": 140}"#, "140"),
            (#"{"score": 4, "extra": true}"#, "extra"),
            (#"{"tags": ["a"]}"#, "score"),
        ])
    func invalid(answer: String, mentioned: String) throws {
        guard case .invalid(let problems, _) = try Self.output().check(answer, truncated: false) else {
            Issue.record("\(answer) should be invalid")
            return
        }
        #expect(problems.contains { $0.contains(mentioned) }, "\(problems)")
    }

    @Test("a truncated answer is not accepted even when what is left fits: a dropped member could matter")
    func truncated() throws {
        let check = try Self.output().check(#"{"score": 42, "tags": ["a", "b"#, truncated: true)
        guard case .invalid(let problems, let repairs) = check else {
            Issue.record("a truncated answer should be invalid")
            return
        }
        #expect(problems.first?.hasPrefix("the answer was cut off") == true)
        #expect(repairs.map(\.kind).contains(.truncated))
    }

    @Test("the caller's rules run after the schema, and the feedback lists the problems")
    func rules() throws {
        let output = try Self.output()
        let check = output.check(#"{"score": 42, "tags": ["x"]}"#, truncated: false) { value in
            value["tags"]?.arrayValue?.contains("x") == true ? ["/tags: x is not a known tag"] : []
        }
        #expect(check == .invalid(problems: ["/tags: x is not a known tag"], repairs: []))
        let feedback = output.feedback(["/score: 140 is greater than the maximum 100"])
        #expect(feedback.contains("- /score: 140 is greater than the maximum 100"))
        #expect(feedback.contains("only the corrected JSON object"))
    }
}
