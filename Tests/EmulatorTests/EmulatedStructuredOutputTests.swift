import Emulators
import Foundation
import Testing
import VelocityTypes

@Suite("Structured output: schema, generator, broken JSON")
struct EmulatedStructuredOutputTests {
    /// Schemas as clients send them: OpenAI-style with nested objects, pydantic with `$defs`
    /// and `anyOf` nullables, bounds and formats, enums, arrays with sizes.
    static let schemas: [String] = [
        #"{"type":"object","properties":{"name":{"type":"string"},"rooms":{"type":"integer","minimum":1,"maximum":9},"style":{"type":"string","enum":["modern","rustic","scandinavian"]}},"required":["name","rooms","style"],"additionalProperties":false}"#,
        ##"{"$defs":{"Room":{"type":"object","properties":{"kind":{"type":"string","enum":["bedroom","kitchen"]},"area":{"type":"number","exclusiveMinimum":0,"maximum":500}},"required":["kind","area"]}},"type":"object","properties":{"rooms":{"type":"array","items":{"$ref":"#/$defs/Room"},"minItems":2,"maxItems":4},"note":{"anyOf":[{"type":"string","maxLength":12},{"type":"null"}]}},"required":["rooms"]}"##,
        #"{"type":"object","properties":{"listed":{"type":"string","format":"date"},"contact":{"type":"string","format":"email"},"id":{"type":"string","format":"uuid"},"title":{"type":"string","minLength":20,"maxLength":40},"price":{"type":"integer","exclusiveMinimum":100000,"exclusiveMaximum":100010},"open":{"type":"boolean"},"tags":{"type":"array","items":{"type":"string"},"maxItems":0}},"required":["listed","contact","id","title","price","open","tags"]}"#,
        #"{"type":"array","items":{"type":"object","properties":{"x":{"type":"number","minimum":-1,"maximum":1},"label":{"const":"point"}},"required":["x","label"]},"minItems":1,"maxItems":3}"#,
    ]

    static func schema(_ text: String) throws -> GenerationSchema {
        try GenerationSchema(try #require(JSONValue(parsing: text)))
    }

    @Test("generated values fit their schema, for many seeds", arguments: 0..<4)
    func generatedFits(index: Int) throws {
        let schema = try Self.schema(Self.schemas[index])
        for seed in UInt64(0)..<50 {
            var generator = JSONSchemaGenerator(seed: seed)
            let value = generator.instance(of: schema)
            #expect(schema.violations(of: value) == [], "seed \(seed): \(value.jsonText)")
            // The rendered text is JSON that still fits.
            let text = RenderedJSON(value, schema: schema).text
            let parsed = try #require(JSONValue(parsing: text), "\(text)")
            #expect(schema.violations(of: parsed) == [], "\(text)")
        }
        var one = JSONSchemaGenerator(seed: 7)
        var same = JSONSchemaGenerator(seed: 7)
        #expect(one.instance(of: schema) == same.instance(of: schema))
    }

    @Test("the product's validator, which the emulator judges its answers by, names what does not fit")
    func validator() throws {
        let schema = try Self.schema(Self.schemas[0])
        let good = try #require(JSONValue(parsing: #"{"name":"loft","rooms":3,"style":"modern"}"#))
        #expect(schema.violations(of: good).isEmpty)
        let cases: [(String, String)] = [
            (#"{"name":"loft","rooms":12,"style":"modern"}"#, "/rooms: 12 is greater than the maximum 9"),
            (#"{"name":"loft","rooms":0,"style":"modern"}"#, "/rooms: 0 is less than the minimum 1"),
            (#"{"name":"loft","style":"modern"}"#, #"/: missing required property "rooms""#),
            (#"{"name":"loft","rooms":3,"style":"baroque"}"#, #"/style: "baroque" is not one of "modern", "rustic", "scandinavian""#),
            (#"{"name":"loft","rooms":2.5,"style":"modern"}"#, "/rooms: expected type integer but got number"),
            (#"{"name":"loft","rooms":3,"style":"modern","extra":1}"#, #"/: property "extra" is not allowed; the allowed properties are "name", "rooms", "style""#),
            (#"["loft"]"#, "/: expected type object but got array"),
        ]
        for (text, expected) in cases {
            let value = try #require(JSONValue(parsing: text))
            #expect(schema.violations(of: value) == [expected], "\(text)")
        }
        #expect(throws: GenerationSchemaError.self) { try Self.schema(#"{"type":"strange"}"#) }
        #expect(throws: GenerationSchemaError.self) { try Self.schema(##"{"$ref":"#/$defs/Missing"}"##) }
    }

    @Test("each kind breaks the JSON the way models do", arguments: BrokenJSONKind.allCases)
    func breaking(kind: BrokenJSONKind) throws {
        for text in Self.schemas {
            let schema = try Self.schema(text)
            var generator = JSONSchemaGenerator(seed: 3)
            let value = generator.instance(of: schema)
            let rendered = RenderedJSON(value, schema: schema).text
            let (broken, truncated) = kind.breaking(value, schema: schema)
            #expect(truncated == (kind == .truncated))
            let parsed = JSONValue(parsing: broken)
            switch kind {
            case .fenced:
                #expect(broken == "```json\n" + rendered + "\n```")
                #expect(parsed == nil)
            case .prose:
                #expect(broken.contains("\n" + rendered + "\n"))
                #expect(!broken.hasPrefix(rendered) && !broken.hasSuffix(rendered))
                #expect(parsed == nil)
            case .trailingComma:
                // RFC 8259 (and Python's json) refuse it; Foundation's decoder tolerates it, so
                // the check is on the text: the comma before the last closer is the only change.
                #expect(broken.hasSuffix(",}") || broken.hasSuffix(",]"))
                #expect(broken.replacingOccurrences(of: ",}", with: "}").replacingOccurrences(of: ",]", with: "]") == rendered)
            case .singleQuotes:
                #expect(broken.contains("'") && !broken.contains("\""))
                #expect(parsed == nil)
            case .truncated:
                #expect(rendered.hasPrefix(broken) && broken.count < rendered.count)
                #expect(parsed == nil)
            case .schemaViolation:
                let violating = try #require(parsed, "\(broken)")
                #expect(!schema.violations(of: violating).isEmpty, "\(broken)")
            }
        }
    }

    @Test("a schema violation prefers a number past its bound, then a missing required property")
    func violationChoice() throws {
        let bounded = try Self.schema(Self.schemas[0])
        let value = try #require(JSONValue(parsing: #"{"name":"loft","rooms":3,"style":"modern"}"#))
        let above = try #require(JSONValue(parsing: BrokenJSONKind.schemaViolation.breaking(value, schema: bounded).text))
        #expect(above["rooms"] == .int(10))
        let plain = try Self.schema(#"{"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},"required":["b"]}"#)
        let missing = try #require(JSONValue(parsing: BrokenJSONKind.schemaViolation.breaking(.object(["a": .string("x"), "b": .string("y")]), schema: plain).text))
        #expect(missing == .object(["a": .string("x")]))
        // json_object has no schema: an array where an object belongs.
        #expect(BrokenJSONKind.schemaViolation.breaking(.object(["a": .string("x")]), schema: nil).text == #"[{"a": "x"}]"#)
    }

    @Test("rates: a total spreads evenly, overrides replace a kind's share, draws fall in slices")
    func rates() {
        let spread = BrokenJSONRates(total: 0.6)
        #expect(BrokenJSONKind.allCases.allSatisfy { abs((spread.rates[$0] ?? 0) - 0.1) < 1e-12 })
        #expect(abs(spread.total - 0.6) < 1e-12)
        #expect(spread.kind(forUnit: 0.05) == .fenced)
        #expect(spread.kind(forUnit: 0.15) == .prose)
        #expect(spread.kind(forUnit: 0.55) == .schemaViolation)
        #expect(spread.kind(forUnit: 0.61) == nil)
        let truncatedOnly = BrokenJSONRates(overrides: [.truncated: 1])
        #expect(truncatedOnly.kind(forUnit: 0) == .truncated)
        #expect(truncatedOnly.kind(forUnit: 0.999) == .truncated)
        #expect(BrokenJSONRates.none.kind(forUnit: 0) == nil)
    }

    @Test("structured answers: valid at rate 0, the chosen kind at its rate 1, and a rate is a rate")
    func answers() throws {
        let schema = try Self.schema(Self.schemas[0])
        for seed in UInt64(0)..<20 {
            let valid = StructuredAnswer.make(schema: schema, seed: seed, rates: .none)
            #expect(valid.broken == nil && !valid.truncated)
            #expect(schema.violations(of: try #require(JSONValue(parsing: valid.text))).isEmpty)
            for kind in BrokenJSONKind.allCases {
                let broken = StructuredAnswer.make(schema: schema, seed: seed, rates: BrokenJSONRates(overrides: [kind: 1]))
                #expect(broken.broken == kind)
                #expect(broken.truncated == (kind == .truncated))
            }
        }
        let object = StructuredAnswer.make(schema: nil, seed: 1, rates: .none)
        #expect(JSONValue(parsing: object.text)?.isObject == true)
        // 2,000 draws at 0.25: the broken share is near a quarter, every kind shows up, and the
        // same seed gives the same answer.
        let rates = BrokenJSONRates(total: 0.25)
        let answers = (UInt64(0)..<2_000).map { StructuredAnswer.make(schema: schema, seed: $0 &* 0x9E37_79B9, rates: rates) }
        let share = Double(answers.filter { $0.broken != nil }.count) / 2_000
        #expect(abs(share - 0.25) < 0.05)
        #expect(Set(answers.compactMap(\.broken)) == Set(BrokenJSONKind.allCases))
        #expect(StructuredAnswer.make(schema: schema, seed: 42, rates: rates) == StructuredAnswer.make(schema: schema, seed: 42, rates: rates))
    }
}
