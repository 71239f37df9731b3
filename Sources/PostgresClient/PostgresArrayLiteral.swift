/// PostgreSQL's text form of an array, for a `$n::text[]` parameter: `{"a","b \"c\""}`.
///
/// Every element is quoted, so commas, braces, spaces and the word NULL in a value stay data.
public enum PostgresArrayLiteral {
    public static func text(_ values: some Sequence<String>) -> String {
        var literal = "{"
        var first = true
        for value in values {
            if !first { literal += "," }
            first = false
            literal += "\""
            for character in value {
                if character == "\"" || character == "\\" { literal.append("\\") }
                literal.append(character)
            }
            literal += "\""
        }
        return literal + "}"
    }
}
