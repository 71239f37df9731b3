import Foundation
public import VelocityTypes

/// Makes JSON values that fit a `GenerationSchema`, deterministically from a seed: what the emulator
/// answers to a structured-output request, standing in for a model constrained by a grammar.
///
/// Objects carry every property the schema lists (required ones first); strings are words of
/// `EmulatedText`'s vocabulary within `minLength`/`maxLength`, or the shape a `format` asks
/// for (`date`, `date-time`, `email`, `uri`, `uuid`); integers and numbers fall within the
/// bounds (0…100 when unbounded); arrays have between `minItems` and `maxItems` items (1…3 when
/// unbounded); `enum` and `const` are honoured; `anyOf` takes the first alternative that is not
/// `null`. `pattern` is not followed.
public struct JSONSchemaGenerator: Sendable {
    private var random: SplitMix64

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// A value that fits `schema`.
    public mutating func instance(of schema: GenerationSchema) -> JSONValue {
        instance(of: schema, depth: 0)
    }

    /// The answer to `json_object` without a schema: a small object of words.
    public mutating func plainObject() -> JSONValue {
        .object(["answer": .string(words(2...5))])
    }

    private mutating func instance(of schema: GenerationSchema, depth: Int) -> JSONValue {
        if let constValue = schema.constValue { return constValue }
        if let choices = schema.enumValues, !choices.isEmpty { return choices[pick(choices.count)] }
        if let first = schema.anyOf.first(where: { $0.types != ["null"] }) ?? schema.anyOf.first {
            return instance(of: first, depth: depth + 1)
        }
        if let first = schema.allOf.first, schema.types.isEmpty && schema.properties.isEmpty {
            return instance(of: first, depth: depth + 1)
        }
        let type = schema.types.first(where: { $0 != "null" }) ?? schema.types.first ?? "object"
        switch type {
        case "null": return .null
        case "boolean": return .bool(random.next() % 2 == 0)
        case "integer": return .int(Int64(integer(schema)))
        case "number": return .double(number(schema))
        case "string": return .string(string(schema))
        case "array":
            let low = max(0, schema.minItems ?? min(1, schema.maxItems ?? 1))
            let high = max(low, schema.maxItems ?? max(low, 3))
            let count = depth > 8 ? low : low + pick(high - low + 1)
            let element = schema.items
            return .array((0..<count).map { _ in element.map { instance(of: $0, depth: depth + 1) } ?? .string(words(1...2)) })
        default:
            var members: [String: JSONValue] = [:]
            for name in schema.propertyOrder {
                guard let property = schema.properties[name] else { continue }
                // Past a sane depth only required members are written, so recursive schemas end.
                if depth > 8 && !schema.required.contains(name) { continue }
                members[name] = instance(of: property, depth: depth + 1)
            }
            return .object(members)
        }
    }

    private mutating func integer(_ schema: GenerationSchema) -> Int {
        // Bounds past ±10^15 are cut there: Int(Double) traps out of range.
        func whole(_ value: Double) -> Int { Int(min(max(value, -1e15), 1e15)) }
        var low = schema.minimum.map { whole($0.rounded(.up)) }
        var high = schema.maximum.map { whole($0.rounded(.down)) }
        if let bound = schema.exclusiveMinimum { low = max(low ?? .min, whole(bound.rounded(.down)) + 1) }
        if let bound = schema.exclusiveMaximum { high = min(high ?? .max, whole(bound.rounded(.up)) - 1) }
        // One bound alone: 0 up to a positive maximum, else a hundred past the bound.
        let from = low ?? (high.map { $0 >= 0 ? 0 : $0 - 100 } ?? 0)
        let to = max(from, high ?? from + 100)
        return from + pick(min(to - from, 1_000_000) + 1)
    }

    private mutating func number(_ schema: GenerationSchema) -> Double {
        let low = schema.minimum ?? schema.exclusiveMinimum
        let high = schema.maximum ?? schema.exclusiveMaximum
        let from = low ?? (high.map { $0 > 0 ? 0 : $0 - 100 } ?? 0)
        let to = max(from, high ?? from + 100)
        // Two decimals, kept off exclusive bounds.
        var value = ((from + (to - from) * unit()) * 100).rounded() / 100
        if let bound = schema.exclusiveMinimum, value <= bound { value = bound + min(0.01, (to - bound) / 2) }
        if let bound = schema.exclusiveMaximum, value >= bound { value = bound - min(0.01, (bound - from) / 2) }
        return min(max(value, from), to)
    }

    private mutating func string(_ schema: GenerationSchema) -> String {
        var text: String
        switch schema.format {
        case "date": text = date()
        case "date-time": text = date() + "T\(two(pick(24))):\(two(pick(60))):00Z"
        case "time": text = "\(two(pick(24))):\(two(pick(60))):00"
        case "email": text = words(2...2).replacingOccurrences(of: " ", with: ".") + "@example.com"
        case "uri", "url": text = "https://example.com/" + words(1...3).replacingOccurrences(of: " ", with: "-")
        case "uuid": text = uuid()
        default: text = words(1...4)
        }
        let minimum = max(0, schema.minLength ?? 0)
        while text.unicodeScalars.count < minimum { text += " " + words(1...1) }
        if let maximum = schema.maxLength, text.unicodeScalars.count > maximum {
            text = String(String.UnicodeScalarView(text.unicodeScalars.prefix(max(maximum, minimum))))
        }
        return text
    }

    private mutating func words(_ count: ClosedRange<Int>) -> String {
        let n = count.lowerBound + pick(count.count)
        return (0..<n).map { _ in EmulatedText.vocabulary[pick(EmulatedText.vocabulary.count)] }.joined(separator: " ")
    }

    private mutating func date() -> String { "20\(two(20 + pick(10)))-\(two(1 + pick(12)))-\(two(1 + pick(28)))" }

    private mutating func uuid() -> String {
        let hex = (0..<2).map { _ in String(random.next(), radix: 16) }.map { String(repeating: "0", count: 16 - $0.count) + $0 }
            .joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    private func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    private mutating func pick(_ count: Int) -> Int { count <= 1 ? 0 : Int(random.next() % UInt64(count)) }

    private mutating func unit() -> Double { Double(random.next() >> 11) / Double(1 << 53) }
}
