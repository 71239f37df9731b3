import StructuredOutput
import Testing

@Suite("An answer cut off inside the value: containers closed, the incomplete member dropped")
struct JSONRecoveryTruncationTests {
    static let cases: [RecoveryCase] = [
        .init(
            "inside the only string", #"{"reasoning": "The answer is"#, truncated: true,
            .recovered("{}", [.truncated])),
        .init(
            "inside a later string", #"{"a": 1, "reasoning": "half"#, truncated: true,
            .recovered(#"{"a": 1}"#, [.truncated])),
        .init("without the length flag", #"{"a": 1, "reasoning": "half"#, .recovered(#"{"a": 1}"#, [.truncated])),
        .init(
            "nested containers keep their whole members", #"{"a": 1, "b": [1, 2, {"c": "x""#, truncated: true,
            .recovered(#"{"a": 1, "b": [1, 2, {"c": "x"}]}"#, [.truncated])),
        .init("inside a key", #"{"a": 1, "rea"#, truncated: true, .recovered(#"{"a": 1}"#, [.truncated])),
        .init("inside an unquoted key", #"{"a": 1, rea"#, truncated: true, .recovered(#"{"a": 1}"#, [.truncated])),
        .init("after a key", #"{"a": 1, "b""#, truncated: true, .recovered(#"{"a": 1}"#, [.truncated])),
        .init("after a colon", #"{"a": 1, "b": "#, truncated: true, .recovered(#"{"a": 1}"#, [.truncated])),
        .init("after a comma", #"{"a": 1, "#, truncated: true, .recovered(#"{"a": 1}"#, [.truncated])),
        .init("a half number", #"{"a": 12."#, truncated: true, .recovered("{}", [.truncated])),
        .init(
            "a number running into the end", #"{"a": 1, "b": 12"#, truncated: true,
            .recovered(#"{"a": 1}"#, [.truncated])),
        .init("a number ended by whitespace", "[1, 2, 3 ", truncated: true, .recovered("[1, 2, 3]", [.truncated])),
        .init("a minus sign", #"{"a": -"#, truncated: true, .recovered("{}", [.truncated])),
        .init("an exponent without digits", #"{"a": 1e"#, truncated: true, .recovered("{}", [.truncated])),
        .init("a half literal", #"{"a": tr"#, truncated: true, .recovered("{}", [.truncated])),
        .init("a half -Infinity", #"{"a": -Infin"#, truncated: true, .recovered("{}", [.truncated])),
        .init("a whole literal", #"{"a": true"#, truncated: true, .recovered(#"{"a": true}"#, [.truncated])),
        .init(
            "a whole Python literal", #"{"a": None"#, truncated: true,
            .recovered(#"{"a": null}"#, [.truncated, .pythonLiteral])),
        .init("an array", "[1, 2, 3", truncated: true, .recovered("[1, 2]", [.truncated])),
        .init("a nested array", "[[1, 2], [3, ", truncated: true, .recovered("[[1, 2], [3]]", [.truncated])),
        .init(
            "a trailing comma at the end", #"{"a": [1, 2,"#, truncated: true,
            .recovered(#"{"a": [1, 2]}"#, [.truncated])),
        .init("an opening brace alone", "{", truncated: true, .recovered("{}", [.truncated])),
        .init(
            "an opening bracket after prose", "Here it is: [", truncated: true,
            .recovered("[]", [.truncated, .surroundingText])),
        .init("inside a \\u escape", #"{"a": "\u00"#, truncated: true, .recovered("{}", [.truncated])),
        .init("after a backslash", #"{"a": "x\"#, truncated: true, .recovered("{}", [.truncated])),
        .init(
            "between the halves of a surrogate pair", #"{"a": "\ud83d"#, truncated: true, .recovered("{}", [.truncated])
        ),
        .init(
            "inside a single-quoted value", "{'a': 1, 'b': 'sing", truncated: true,
            .recovered(#"{"a": 1}"#, [.singleQuotes, .truncated])),
        .init(
            "after an unquoted key", "{a: 1, b: ", truncated: true,
            .recovered(#"{"a": 1}"#, [.unquotedKey, .truncated])),
        .init(
            "a raw newline in the dropped string", "{\"a\": 1, \"text\": \"line\nmore", truncated: true,
            .recovered(#"{"a": 1}"#, [.truncated])),
        .init(
            "inside a comment", #"{"a": 1, /* because"#, truncated: true,
            .recovered(#"{"a": 1}"#, [.comment, .truncated])),
        .init("at a lone slash", #"{"a": 1 /"#, truncated: true, .recovered(#"{"a": 1}"#, [.comment, .truncated])),
        .init(
            "inside a fence that never closes", "```json\n{\"a\": [1, 2", truncated: true,
            .recovered(#"{"a": [1]}"#, [.codeFence, .truncated])),
        .init(
            "inside an additional value", #"{"a": 1}{"b": "cut"#, truncated: true,
            .recovered(#"{"a": 1}"#, [.additionalValues, .truncated], additional: ["{}"])),
        .init("a complete value with the length flag", #"{"a": 1} "#, truncated: true, .recovered(#"{"a": 1}"#, [])),
        .init("a lone number with the length flag", "12", truncated: true, .refused),
        .init("a lone number without it", "12", .recovered("12", [])),
        .init("a lone string", #""abc"#, truncated: true, .refused),
        .init("a lone half literal", "nul", .refused),
    ]

    @Test("truncated answers", arguments: cases)
    func truncation(_ testCase: RecoveryCase) throws { try testCase.verify() }
}
