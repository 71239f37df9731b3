import StructuredOutput
import Testing

@Suite("Each slip of a model is repaired and reported")
struct JSONRecoveryRepairTests {
    static let fences: [RecoveryCase] = [
        .init("```json fence", "```json\n{\"a\": 1}\n```", .recovered(#"{"a": 1}"#, [.codeFence])),
        .init("bare ``` fence", "```\n[1, 2]\n```", .recovered("[1, 2]", [.codeFence])),
        .init(
            "~~~ fence with CRLF lines", "~~~JSON\r\n{\"crlf\": true}\r\n~~~\r\n",
            .recovered(#"{"crlf": true}"#, [.codeFence])),
        .init(
            "fence with prose around it", "Here you go:\n```json\n{\"a\": 1}\n```\nHope this helps!",
            .recovered(#"{"a": 1}"#, [.codeFence, .surroundingText])),
        .init(
            "the first block that parses", "```json\n{oops: }\n```\nFixed:\n```json\n{\"b\": 2}\n```",
            .recovered(#"{"b": 2}"#, [.codeFence, .surroundingText])),
        .init(
            "a json block before an earlier python block", "```python\nd = {'a': 1}\n```\n```json\n{\"a\": 2}\n```",
            .recovered(#"{"a": 2}"#, [.codeFence, .surroundingText])),
        .init(
            "a python block when no other parses", "Try:\n```python\nd = {'a': 1}\n```",
            .recovered(#"{"a": 1}"#, [.codeFence, .surroundingText, .singleQuotes])),
        .init(
            "a fence over a bracketed citation before it", "[1] See below.\n```json\n{\"a\": 1}\n```",
            .recovered(#"{"a": 1}"#, [.codeFence, .surroundingText])),
        .init(
            "JSON before a fence, with prose", "{\"draft\": 1} was wrong, use:\n```json\n{\"final\": 2}\n```",
            .recovered(#"{"final": 2}"#, [.codeFence, .surroundingText])),
        .init(
            "closing fence on the JSON's last line", "```json\n{\"a\": 1}```", .recovered(#"{"a": 1}"#, [.codeFence])),
        .init(
            "fence markers inside a string stay", "```json\n{\"md\": \"```json\\n{}\\n```\"}\n```",
            .recovered(#"{"md": "```json\n{}\n```"}"#, [.codeFence])),
        .init(
            "fence, comment, trailing commas and single quotes together",
            "Here:\n```json\n{\n  // the answer\n  \"items\": [1, 2,],\n  'name': 'x',\n}\n```",
            .recovered(
                #"{"items": [1, 2], "name": "x"}"#,
                [
                    .codeFence, .surroundingText, .comment, .trailingComma, .trailingComma, .singleQuotes,
                    .singleQuotes,
                ])),
    ]

    static let prose: [RecoveryCase] = [
        .init("prose before", "Sure! Here is the JSON: {\"a\": 1}", .recovered(#"{"a": 1}"#, [.surroundingText])),
        .init("prose after", "{\"a\": 1}\nLet me know if you need more.", .recovered(#"{"a": 1}"#, [.surroundingText])),
        .init(
            "braces in prose that do not parse", "I think {maybe} works, but the answer is {\"a\": 1}.",
            .recovered(#"{"a": 1}"#, [.surroundingText])),
        .init("an array in prose", "The list [1, 2] is the answer", .recovered("[1, 2]", [.surroundingText])),
        .init(
            "a literal word before the value", "true story: {\"a\": 1}", .recovered(#"{"a": 1}"#, [.surroundingText])),
        .init("a number before the value", "1. {\"a\": 1}", .recovered(#"{"a": 1}"#, [.surroundingText])),
        .init(
            "strings with braces, quotes and comment markers untouched",
            #"Result: {'a': "// not a comment, {not: json}, 'quotes', /* */"}"#,
            .recovered(#"{"a": "// not a comment, {not: json}, 'quotes', /* */"}"#, [.surroundingText, .singleQuotes])),
        .init("prose only", "I could not produce JSON for this request.", .refused),
        .init("empty", "", .refused),
        .init("whitespace only", "  \n\t ", .refused),
        .init("comments only", "// nothing here\n/* at all */", .refused),
        .init("braces that never parse", "{ this is not json }", .refused),
        .init("an empty fence", "```json\n```", .refused),
        .init("a byte-order mark alone", "\u{FEFF}", .refused),
        .init("a lone word", "hello", .refused),
    ]

    static let syntax: [RecoveryCase] = [
        .init(
            "trailing commas", #"{"items": [1, 2, 3,],}"#,
            .recovered(#"{"items": [1, 2, 3]}"#, [.trailingComma, .trailingComma])),
        .init(
            "trailing commas nested", #"[{"a": 1,},]"#, .recovered(#"[{"a": 1}]"#, [.trailingComma, .trailingComma])),
        .init(
            "single-quoted keys and strings", #"{'name': 'Ada', "ok": 'say "hi"'}"#,
            .recovered(#"{"name": "Ada", "ok": "say \"hi\""}"#, [.singleQuotes, .singleQuotes, .singleQuotes])),
        .init(
            "escaped apostrophe", #"{'esc': 'it\'s'}"#,
            .recovered(#"{"esc": "it's"}"#, [.singleQuotes, .singleQuotes])),
        .init("unicode escape in single quotes", #"['\u00e9\ud83d\ude00']"#, .recovered(#"["é😀"]"#, [.singleQuotes])),
        .init(
            "unquoted keys", #"{name: "Ada", $ref: 1, _x-y: 2}"#,
            .recovered(#"{"name": "Ada", "$ref": 1, "_x-y": 2}"#, [.unquotedKey, .unquotedKey, .unquotedKey])),
        .init(
            "unquoted keys nested", #"{a1: {b_2: [1]}}"#,
            .recovered(#"{"a1": {"b_2": [1]}}"#, [.unquotedKey, .unquotedKey])),
        .init(
            "line and block comments", "{// line\n\"a\": 1, /* block */ \"b\": 2 /* last */}",
            .recovered(#"{"a": 1, "b": 2}"#, [.comment, .comment, .comment])),
        .init(
            "comments around the value", "// leading\n{\"a\": 1} // trailing",
            .recovered(#"{"a": 1}"#, [.comment, .comment])),
        .init(
            "NaN and infinities", #"{"x": NaN, "y": Infinity, "z": -Infinity}"#,
            .recovered(#"{"x": null, "y": null, "z": null}"#, [.nonFiniteNumber, .nonFiniteNumber, .nonFiniteNumber])),
        .init(
            "numbers beyond a Double", "[1e400, -1E400, 1]",
            .recovered("[null, null, 1]", [.nonFiniteNumber, .nonFiniteNumber])),
        .init("a lone NaN", "NaN", .recovered("null", [.nonFiniteNumber])),
        .init(
            "Python literals", #"{"a": True, "b": False, "c": None}"#,
            .recovered(#"{"a": true, "b": false, "c": null}"#, [.pythonLiteral, .pythonLiteral, .pythonLiteral])),
        .init(
            "a Python dict", "{'a': True, 'b': None, 'c': [1, 2,]}",
            .recovered(
                #"{"a": true, "b": null, "c": [1, 2]}"#,
                [.singleQuotes, .singleQuotes, .singleQuotes, .pythonLiteral, .pythonLiteral, .trailingComma])),
        .init(
            "raw newline and tab in a string", "{\"text\": \"line one\nline\ttwo\"}",
            .recovered(#"{"text": "line one\nline\ttwo"}"#, [.controlCharacter])),
        .init("raw newline in a key", "{\"a\nb\": 1}", .recovered(#"{"a\nb": 1}"#, [.controlCharacter])),
        .init("lone surrogate", #"{"a": "\ud800"}"#, .refused),
        .init("low surrogate first", #"{"a": "\udc00\ud800"}"#, .refused),
        .init("missing colon", #"{"a" 1}"#, .refused),
        .init("missing comma", "[1 2]", .refused),
        .init("leading zero", #"{"a": 01}"#, .refused),
        .init("bare fraction", #"{"a": .5}"#, .refused),
        .init("invalid escape", #"{"a": "\x41"}"#, .refused),
        .init("apostrophe escape in double quotes", #"{"a": "it\'s"}"#, .refused),
        .init("unknown word", "{\"a\": undefined}", .refused),
        .init("numeric key", "{1: 2}", .refused),
    ]

    static let multipleValues: [RecoveryCase] = [
        .init(
            "two objects in a row", #"{"a": 1}{"b": 2}"#,
            .recovered(#"{"a": 1}"#, [.additionalValues], additional: [#"{"b": 2}"#])),
        .init(
            "values on separate lines", "{\"a\": 1}\n{\"b\": 2}\n[3]",
            .recovered(#"{"a": 1}"#, [.additionalValues], additional: [#"{"b": 2}"#, "[3]"])),
        .init(
            "a repair in an additional value", #"{"a": 1} {"b": 2,}"#,
            .recovered(#"{"a": 1}"#, [.additionalValues, .trailingComma], additional: [#"{"b": 2}"#])),
        .init(
            "an additional value then prose", "{\"a\": 1}\n{\"b\": 2}\nDone.",
            .recovered(#"{"a": 1}"#, [.additionalValues, .surroundingText], additional: [#"{"b": 2}"#])),
        .init(
            "values separated by a comma are prose", #"{"a": 1}, {"b": 2}"#,
            .recovered(#"{"a": 1}"#, [.surroundingText])),
        .init(
            "an additional value that does not parse", #"{"a": 1} {not json}"#,
            .recovered(#"{"a": 1}"#, [.surroundingText])),
        .init("a scalar followed by text is not the value", #""a" and more"#, .refused),
    ]

    @Test("code fences", arguments: fences)
    func codeFences(_ testCase: RecoveryCase) throws { try testCase.verify() }

    @Test("prose around the value, and answers without one", arguments: prose)
    func surroundingText(_ testCase: RecoveryCase) throws { try testCase.verify() }

    @Test("syntax slips, and errors that are not repaired", arguments: syntax)
    func syntaxRepairs(_ testCase: RecoveryCase) throws { try testCase.verify() }

    @Test("several top-level values", arguments: multipleValues)
    func additionalValues(_ testCase: RecoveryCase) throws { try testCase.verify() }
}
