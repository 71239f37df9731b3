import JSONSchema
import Testing
import VelocityTypes

/// The failures are fed back to a language model to fix its answer: each names the place in the
/// answer and says what is wrong in a short sentence, in the same order every time.
@Suite("Failure messages")
struct FailureMessageTests {
    static let answerSchema = #"""
        {
            "type": "object",
            "required": ["score", "confidence"],
            "properties": {
                "score": {"type": "integer", "minimum": 0, "maximum": 100},
                "confidence": {"enum": ["low", "medium", "high"]},
                "items": {"type": "array", "maxItems": 5, "items": {"$ref": "#/$defs/item"}}
            },
            "additionalProperties": false,
            "$defs": {
                "item": {
                    "type": "object",
                    "required": ["name"],
                    "properties": {"name": {"type": "string", "minLength": 1, "pattern": "^[a-z]+$"}}
                }
            }
        }
        """#

    @Test("each failure names the instance path, keyword and schema path")
    func failureFields() throws {
        let failures = try schema(Self.answerSchema).validate(try json(#"{"score": 140, "confidence": "high"}"#))
        #expect(failures.count == 1)
        let failure = try #require(failures.first)
        #expect(failure.instancePath == "/score")
        #expect(failure.keyword == "maximum")
        #expect(failure.schemaPath == "/properties/score/maximum")
        #expect(failure.reason == "140 is greater than the maximum 100")
        #expect(failure.message == "/score: 140 is greater than the maximum 100")
        #expect(failure.description == failure.message)
    }

    @Test("a whole answer's failures, in a stable order")
    func wholeAnswer() throws {
        let answer = try json(#"""
            {"score": 7.5, "extra": true, "items": [{"name": "ok"}, {}, {"name": 5}, {"name": "Bad"}]}
            """#)
        let messages = try schema(Self.answerSchema).validate(answer).map(\.message)
        #expect(messages == [
            #"/: missing required property "confidence""#,
            "/items/1: missing required property \"name\"",
            "/items/2/name: expected type string but got integer",
            #"/items/3/name: "Bad" does not match the pattern "^[a-z]+$""#,
            "/score: expected type integer but got number",
            #"/: property "extra" is not allowed; the allowed properties are "confidence", "items", "score""#,
        ])
    }

    @Test("a failure inside a $ref reports where the failing keyword is")
    func referencedSchemaPath() throws {
        let failures = try schema(Self.answerSchema).validate(try json(#"{"score": 1, "confidence": "low", "items": [{"name": ""}]}"#))
        #expect(failures.map(\.schemaPath) == ["/$defs/item/properties/name/minLength", "/$defs/item/properties/name/pattern"])
        #expect(failures.first?.message == "/items/0/name: string is 0 characters long, shorter than the minimum length 1")
    }

    @Test("messages of the value keywords", arguments: [
        (#"{"enum": ["red", "green"]}"#, #""purple""#, #"/: "purple" is not one of "red", "green""#),
        (#"{"const": "summary"}"#, #""other""#, #"/: must be "summary", got "other""#),
        (#"{"exclusiveMinimum": 0}"#, "0", "/: 0 must be greater than 0"),
        (#"{"exclusiveMaximum": 1.5}"#, "2", "/: 2 must be less than 1.5"),
        (#"{"minimum": 0.5}"#, "0.25", "/: 0.25 is less than the minimum 0.5"),
        (#"{"multipleOf": 0.5}"#, "0.75", "/: 0.75 is not a multiple of 0.5"),
        (#"{"maxLength": 3}"#, #""four""#, "/: string is 4 characters long, longer than the maximum length 3"),
        (#"{"type": ["string", "null"]}"#, "[]", "/: expected type string or null but got array"),
        (#"{"minItems": 2}"#, "[1]", "/: array has 1 item, fewer than the minimum 2"),
        (#"{"uniqueItems": true}"#, #"["a", "b", "a"]"#, "/: items 0 and 2 are equal, but items must be unique"),
        (#"{"prefixItems": [{}], "items": false}"#, "[1, 2, 3]", "/: array has 3 items, but at most 1 is allowed"),
        (#"{"items": false}"#, "[1]", "/: array must be empty, but has 1 item"),
        (#"{"contains": {"type": "string"}}"#, "[1]", #"/: no item matches the "contains" schema"#),
        (#"{"maxProperties": 1}"#, #"{"a": 1, "b": 2}"#, "/: object has 2 properties, more than the maximum 1"),
        (#"{"dependentRequired": {"end": ["start"]}}"#, #"{"end": 1}"#,
         #"/: property "end" requires property "start", which is missing"#),
        (#"{"propertyNames": {"pattern": "^[a-z]+$"}}"#, #"{"Bad": 1}"#,
         #"/: property name "Bad" is invalid: "Bad" does not match the pattern "^[a-z]+$""#),
        (#"{"not": {"type": "string"}}"#, #""x""#, #"/: must not match the schema in "not""#),
        (#"{"properties": {"a": false}}"#, #"{"a": 1}"#, #"/: property "a" is not allowed"#),
        ("false", "1", "/: no value is allowed here"),
    ])
    func valueKeywordMessages(schemaText: String, instance: String, message: String) throws {
        #expect(try schema(schemaText).validate(try json(instance)).map(\.message) == [message])
    }

    @Test("anyOf and oneOf say what each alternative wanted")
    func combinatorMessages() throws {
        let pet = try schema(#"""
            {"anyOf": [{"type": "string"}, {"type": "object", "required": ["bark"]}]}
            """#)
        #expect(pet.validate(try json("{}")).map(\.message) == [
            #"/: matches none of the 2 anyOf alternatives: [0] /: expected type string but got object; "#
                + #"[1] /: missing required property "bark""#,
        ])
        let exclusive = try schema(#"{"oneOf": [{"minimum": 0}, {"maximum": 10}, {"type": "integer"}]}"#)
        #expect(exclusive.validate(try json("5")).map(\.message)
            == ["/: matches the oneOf alternatives 0, 1 and 2, but must match exactly one"])
        #expect(exclusive.validate(try json("-0.5")).count == 0)
    }

    @Test("long values are cut in messages")
    func longValues() throws {
        let long = String(repeating: "x", count: 200)
        let failures = try schema(#"{"const": "short"}"#).validate(.string(long))
        let message = try #require(failures.first?.message)
        #expect(message.count < 100)
        #expect(message.hasSuffix("xxx..."))
    }

    @Test("object members are visited in sorted order, so the messages repeat exactly")
    func deterministicOrder() throws {
        let strict = try schema(#"{"additionalProperties": {"type": "string"}}"#)
        let answer = try json(#"{"delta": 4, "alpha": 1, "charlie": 3, "bravo": 2}"#)
        let paths = strict.validate(answer).map(\.instancePath)
        #expect(paths == ["/alpha", "/bravo", "/charlie", "/delta"])
        for _ in 0..<5 { #expect(strict.validate(answer).map(\.instancePath) == paths) }
    }

    @Test("instance paths escape / and ~ in member names")
    func escapedInstancePath() throws {
        let failures = try schema(#"{"additionalProperties": {"type": "string"}}"#).validate(try json(#"{"a/b~c": 1}"#))
        #expect(failures.map(\.instancePath) == ["/a~1b~0c"])
    }
}
