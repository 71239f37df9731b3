import JSONSchema
import Testing
import VelocityTypes

/// Numbers, strings, boolean schemas and references as the specification defines them, where
/// Swift's own notions differ.
@Suite("Validation semantics")
struct SemanticsTests {
    @Test("1 and 1.0 are the same number in type, enum, const and uniqueItems")
    func integersAndDoubles() throws {
        #expect(try schema(#"{"type": "integer"}"#).isValid(.double(1.0)))
        #expect(try !schema(#"{"type": "integer"}"#).isValid(.double(1.5)))
        #expect(try schema(#"{"enum": [1]}"#).isValid(.double(1.0)))
        #expect(try JSONSchema(.object(["const": .double(1.0)])).isValid(.int(1)))
        #expect(try !schema(#"{"const": 1}"#).isValid(.bool(true)))
        #expect(try !schema(#"{"uniqueItems": true}"#).isValid(.array([.int(1), .double(1.0)])))
        #expect(try schema(#"{"uniqueItems": true}"#).isValid(.array([.int(0), .bool(false)])))
    }

    @Test("objects compare without order, arrays with it")
    func structuralEquality() throws {
        let pair = try schema(#"{"const": {"a": [1, 2], "b": {"c": null}}}"#)
        #expect(pair.isValid(try json(#"{"b": {"c": null}, "a": [1.0, 2]}"#)))
        #expect(!pair.isValid(try json(#"{"a": [2, 1], "b": {"c": null}}"#)))
        #expect(!pair.isValid(try json(#"{"a": [1, 2], "b": {"c": null}, "d": 1}"#)))
    }

    @Test("64-bit integers compare exactly, without rounding through Double")
    func largeIntegers() throws {
        let limit = try schema(#"{"maximum": 9007199254740992}"#)
        #expect(limit.isValid(.int(9_007_199_254_740_992)))
        #expect(!limit.isValid(.int(9_007_199_254_740_993)))
        #expect(try !JSONSchema(.object(["maximum": .double(9_007_199_254_740_992)])).isValid(.int(9_007_199_254_740_993)))
        #expect(try JSONSchema(.object(["minimum": .double(-9.3e18)])).isValid(.int(Int64.min)))
        #expect(try !JSONSchema(.object(["const": .double(9_007_199_254_740_992)])).isValid(.int(9_007_199_254_740_993)))
    }

    @Test("multipleOf tolerates binary rounding of decimal fractions")
    func decimalMultiples() throws {
        #expect(try schema(#"{"multipleOf": 0.01}"#).isValid(.double(0.1 + 0.2)), "0.30000000000000004")
        #expect(try schema(#"{"multipleOf": 0.0001}"#).isValid(.double(0.0075)))
        #expect(try schema(#"{"multipleOf": 0.01}"#).isValid(.double(19.99)))
        #expect(try !schema(#"{"multipleOf": 0.01}"#).isValid(.double(0.0075)))
        #expect(try !schema(#"{"multipleOf": 0.123456789}"#).isValid(.double(1e308)))
    }

    @Test("string lengths count code points, not UTF-16 units or grapheme clusters")
    func codePointLengths() throws {
        let two = try schema(#"{"minLength": 2, "maxLength": 2}"#)
        #expect(!two.isValid(.string("💩")), "one code point, two UTF-16 units")
        #expect(two.isValid(.string("💩💩")))
        #expect(two.isValid(.string("e\u{301}")), "two code points, one grapheme")
        #expect(!two.isValid(.string("\u{E9}")))
        #expect(two.isValid(.string("👍🏽")), "a skin-tone emoji is two code points")
    }

    @Test("strings are equal by code point: U+00E4 is not a + U+0308")
    func codePointEquality() throws {
        let umlaut = try JSONSchema(.object(["enum": .array([.string("\u{E4}")])]))
        #expect(umlaut.isValid(.string("\u{E4}")))
        #expect(!umlaut.isValid(.string("a\u{308}")))
    }

    @Test("boolean schemas: true accepts everything, false nothing, at the root and below")
    func booleanSchemas() throws {
        let values: [JSONValue] = [.null, .bool(false), .int(0), .double(1.5), .string(""), .array([]), .object([:])]
        for value in values {
            #expect(try JSONSchema(.bool(true)).isValid(value))
            #expect(try JSONSchema(.bool(false)).validate(value).map(\.message) == ["/: no value is allowed here"])
        }
        let nested = try schema(#"{"prefixItems": [true, false]}"#)
        #expect(nested.isValid(try json("[1]")))
        #expect(nested.validate(try json("[1, 2]")).map(\.message) == ["/1: no value is allowed here"])
    }

    @Test("$ref resolves the root, pointers with escapes, anchors, and draft-07 definitions")
    func localReferences() throws {
        let tree = try schema(##"""
            {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#"}}},
             "required": ["name"]}
            """##)
        #expect(tree.isValid(try json(#"{"name": "a", "children": [{"name": "b", "children": []}]}"#)))
        #expect(tree.validate(try json(#"{"name": "a", "children": [{"children": []}]}"#)).map(\.message)
            == [#"/children/0: missing required property "name""#])

        let escaped = try schema(##"{"$defs": {"a/b": {"type": "string"}}, "$ref": "#/$defs/a~1b"}"##)
        #expect(!escaped.isValid(.int(1)))
        let anchored = try schema(##"{"$defs": {"x": {"$anchor": "word", "pattern": "^\\w+$"}}, "$ref": "#word"}"##)
        #expect(anchored.isValid(.string("hello")) && !anchored.isValid(.string("two words")))
        let legacy = try schema(##"{"definitions": {"n": {"type": "number"}}, "items": {"$ref": "#/definitions/n"}}"##)
        #expect(!legacy.isValid(try json(#"[1, "x"]"#)))
        let identified = try schema(##"{"$id": "https://example.com/s.json", "$defs": {"n": {"type": "null"}}, "$ref": "https://example.com/s.json#/$defs/n"}"##)
        #expect(identified.isValid(.null) && !identified.isValid(.int(0)))
    }

    @Test("a $ref cycle that never moves into the value fails instead of recursing forever")
    func referenceCycles() throws {
        let loop = try schema(##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##)
        let failures = loop.validate(.int(1))
        #expect(failures.map(\.keyword) == ["$ref"])
        #expect(failures.first?.message == ##"/: $ref "#/$defs/a" leads back to itself without moving into the value, so it can never be decided"##)

        // Two alternatives per level would take 2^depth steps without the cycle check.
        let fork = try schema(##"{"anyOf": [{"$ref": "#"}, {"$ref": "#"}]}"##)
        #expect(!fork.isValid(.string("x")))
        #expect(try !schema(##"{"allOf": [{"$ref": "#"}]}"##).isValid(.null))
    }

    @Test("recursion that moves into the value is limited in depth, with a failure")
    func depthLimit() throws {
        let nested = try schema(##"{"items": {"$ref": "#"}}"##)
        var shallow = JSONValue.array([])
        for _ in 0..<50 { shallow = .array([shallow]) }
        #expect(nested.isValid(shallow))

        var deep = JSONValue.array([])
        for _ in 0..<1_000 { deep = .array([deep]) }
        let failures = nested.validate(deep)
        #expect(failures.count == 1)
        #expect(failures.first?.keyword == "$ref")
        #expect(failures.first?.reason.contains("nests schemas more than 256 deep") == true)
    }

    @Test("a compiled schema is shared across concurrent validations")
    func concurrentUse() async throws {
        let shared = try schema(#"{"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}"#)
        let results = await withTaskGroup(of: Bool.self) { group in
            for index in 0..<32 {
                group.addTask { shared.isValid(.object(["id": index.isMultiple(of: 2) ? .int(Int64(index)) : .string("x")])) }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results.filter { $0 }.count == 16)
    }
}
