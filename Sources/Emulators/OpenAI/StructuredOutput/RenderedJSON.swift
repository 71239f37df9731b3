import Foundation
public import VelocityTypes

/// JSON text the way a model writes it: object members in the schema's order, `": "` and `", "`
/// between them, on one line. Also remembers where each scalar value sits, so a truncation can
/// cut one in half.
public struct RenderedJSON: Sendable, Equatable {
    public private(set) var text = ""
    /// Character offsets of every scalar value in `text`, in order.
    private(set) var scalarRanges: [Range<Int>] = []
    private var count = 0

    /// Renders `value`; `quote` is `"` for JSON, `'` for the Python-dict style models slip into.
    public init(_ value: JSONValue, schema: GenerationSchema? = nil, quote: Character = "\"") {
        write(value, schema: schema, quote: quote)
    }

    private mutating func append(_ piece: String) {
        text += piece
        count += piece.count
    }

    private mutating func scalar(_ piece: String) {
        scalarRanges.append(count..<(count + piece.count))
        append(piece)
    }

    private mutating func write(_ value: JSONValue, schema: GenerationSchema?, quote: Character) {
        switch value {
        case .null: scalar("null")
        case .bool(let flag): scalar(flag ? "true" : "false")
        case .int(let number): scalar(String(number))
        case .double(let number): scalar(Self.number(number))
        case .string(let string): scalar(Self.quoted(string, quote: quote))
        case .array(let elements):
            append("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { append(", ") }
                write(element, schema: schema?.items, quote: quote)
            }
            append("]")
        case .object(let members):
            append("{")
            let order = schema?.propertyOrder ?? []
            let listed = Set(order)
            let names = order.filter { members[$0] != nil } + members.keys.filter { !listed.contains($0) }.sorted()
            for (index, name) in names.enumerated() {
                if index > 0 { append(", ") }
                append(Self.quoted(name, quote: quote) + ": ")
                write(members[name] ?? .null, schema: schema?.properties[name], quote: quote)
            }
            append("}")
        }
    }

    /// A JSON number: integral values keep a `.0` only when they are not integers in JSON.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value == value.rounded() && abs(value) < 1e15 { return String(Int64(value)) + ".0" }
        return String(value)
    }

    static func quoted(_ string: String, quote: Character) -> String {
        var out = String(quote)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if Character(scalar) == quote {
                    out += "\\" + String(quote)
                } else if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out.append(quote)
        return out
    }
}
