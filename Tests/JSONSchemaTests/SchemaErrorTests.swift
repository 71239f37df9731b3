import JSONSchema
import Testing
import VelocityTypes

/// Schemas refused at compile time, as a job's schema is refused at submit: each error names the
/// place in the schema and what is wrong there.
@Suite("Invalid schemas")
struct SchemaErrorTests {
    @Test("a keyword of the wrong type names its path")
    func wrongKeywordType() throws {
        let typeError = try schemaError(#"{"type": 5}"#)
        #expect(typeError.schemaPath == "/type")
        #expect(typeError.message == #""type" must be a type name or an array of type names, got integer 5"#)

        let minimumError = try schemaError(#"{"properties": {"score": {"minimum": "x"}}}"#)
        #expect(minimumError.schemaPath == "/properties/score/minimum")
        #expect(minimumError.description
            == ##"invalid schema at #/properties/score/minimum: "minimum" must be a number, got string "x""##)
    }

    @Test("an unknown type name is refused, listing the type names")
    func unknownTypeName() throws {
        let error = try schemaError(#"{"properties": {"a": {"type": ["string", "strin"]}}}"#)
        #expect(error.schemaPath == "/properties/a/type/1")
        #expect(error.message
            == #"unknown type "strin"; the types are null, boolean, object, array, number, string, integer"#)
    }

    @Test("a $ref that does not resolve, or leaves the document, is refused")
    func unresolvedReferences() throws {
        let missing = try schemaError(##"{"$defs": {"a": {}}, "properties": {"x": {"$ref": "#/$defs/b"}}}"##)
        #expect(missing.schemaPath == "/properties/x/$ref")
        #expect(missing.message == ##"$ref "#/$defs/b" does not resolve: nothing at #/$defs/b in this schema"##)

        let anchor = try schemaError(##"{"$ref": "#nowhere"}"##)
        #expect(anchor.message == ##"$ref "#nowhere" does not resolve: no "$anchor": "nowhere" in this schema"##)

        let remote = try schemaError(##"{"items": {"$ref": "other.json#/$defs/a"}}"##)
        #expect(remote.schemaPath == "/items/$ref")
        #expect(remote.message.contains("points outside this schema"))

        let pointer = try schemaError(##"{"$ref": "#/$defs/a~2"}"##)
        #expect(pointer.message.contains("is not a valid JSON pointer"))
    }

    @Test("a regular expression that does not compile is refused")
    func badPatterns() throws {
        let pattern = try schemaError(#"{"properties": {"code": {"pattern": "([a-z]"}}}"#)
        #expect(pattern.schemaPath == "/properties/code/pattern")
        #expect(pattern.message == #""([a-z]" is not a valid regular expression"#)

        let property = try schemaError(#"{"patternProperties": {"[": {}}}"#)
        #expect(property.schemaPath == "/patternProperties/[")
    }

    @Test("a subschema must be an object or a boolean; pointer tokens are escaped in the path")
    func subschemaShape() throws {
        let error = try schemaError(#"{"properties": {"a/b~c": 5}}"#)
        #expect(error.schemaPath == "/properties/a~1b~0c")
        #expect(error.message == "a schema must be an object or a boolean, got integer 5")
        #expect(try schemaError(#""object""#).schemaPath == "")
    }

    @Test("counts must be non-negative integers; 2.0 is one")
    func counts() throws {
        #expect(try schemaError(#"{"minLength": -1}"#).message == #""minLength" must be a non-negative integer, got integer -1"#)
        #expect(try schemaError(#"{"maxItems": 1.5}"#).schemaPath == "/maxItems")
        #expect(try schema(#"{"minLength": 2.0}"#).isValid(.string("ab")))
        #expect(try schemaError(#"{"multipleOf": 0}"#).message == #""multipleOf" must be a number greater than 0, got integer 0"#)
    }

    @Test("required lists distinct strings")
    func requiredList() throws {
        #expect(try schemaError(#"{"required": ["a", 1]}"#).schemaPath == "/required/1")
        #expect(try schemaError(#"{"required": ["a", "a"]}"#).message == #""required" lists "a" twice"#)
    }

    @Test("keywords this module does not implement are refused rather than ignored")
    func unsupportedKeywords() throws {
        let unevaluated = try schemaError(#"{"properties": {"a": {"unevaluatedProperties": false}}}"#)
        #expect(unevaluated.schemaPath == "/properties/a/unevaluatedProperties")
        #expect(unevaluated.message.contains("not supported"))
        #expect(try schemaError(##"{"$dynamicRef": "#meta"}"##).schemaPath == "/$dynamicRef")
        #expect(try schemaError(#"{"$defs": {"a": {"$id": "a.json"}}}"#).schemaPath == "/$defs/a/$id")
        let items = try schemaError(#"{"items": [{"type": "string"}]}"#)
        #expect(items.message.contains("\"prefixItems\""))
    }

    @Test("anchors must be well formed and unique")
    func anchors() throws {
        #expect(try schemaError(#"{"$anchor": "1st"}"#).schemaPath == "/$anchor")
        let duplicate = try schemaError(#"{"$defs": {"a": {"$anchor": "x"}, "b": {"$anchor": "x"}}}"#)
        #expect(duplicate.message == ##""$anchor" "x" is already used at #/$defs/a"##)
    }

    @Test("unknown keywords are ignored, and a bad schema under $defs is refused even if unused")
    func unknownKeywords() throws {
        let lenient = try schema(#"{"x-vendor": {"type": 5}, "title": 3, "type": "object"}"#)
        #expect(lenient.isValid(try json("{}")))
        #expect(try schemaError(#"{"$defs": {"unused": {"type": "strng"}}}"#).schemaPath == "/$defs/unused/type")
    }
}
