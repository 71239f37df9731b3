public import VelocityTypes

extension BrokenJSONKind {
    /// `value` — which fits `schema`, or is a `json_object` answer when `schema` is nil —
    /// written broken this way, and whether the text stops short (a truncation).
    public func breaking(_ value: JSONValue, schema: GenerationSchema?) -> (text: String, truncated: Bool) {
        switch self {
        case .fenced:
            return ("```json\n" + RenderedJSON(value, schema: schema).text + "\n```", false)
        case .prose:
            return ("Here is the JSON you asked for:\n" + RenderedJSON(value, schema: schema).text + "\nLet me know if you need anything else.", false)
        case .trailingComma:
            var text = RenderedJSON(value, schema: schema).text
            if let last = text.last, last == "}" || last == "]" {
                text.insert(",", at: text.index(before: text.endIndex))
            } else {
                text += ","
            }
            return (text, false)
        case .singleQuotes:
            return (RenderedJSON(value, schema: schema, quote: "'").text, false)
        case .truncated:
            return (Self.truncating(RenderedJSON(value, schema: schema)), true)
        case .schemaViolation:
            let violating = Self.violating(value, schema: schema)
            return (RenderedJSON(violating, schema: schema).text, false)
        }
    }

    /// The text cut in the middle of its last scalar that has a middle (a string or a number of
    /// two or more characters), as a model that ran out of tokens leaves it.
    static func truncating(_ rendered: RenderedJSON) -> String {
        let characters = Array(rendered.text)
        guard characters.count > 1 else { return "" }
        let cut: Int
        if let range = rendered.scalarRanges.last(where: { $0.count >= 2 }) {
            cut = range.lowerBound + max(1, range.count / 2)
        } else {
            cut = characters.count - 1
        }
        return String(characters[..<min(cut, characters.count - 1)])
    }

    /// `value` changed so that it no longer fits `schema`, by the first of these that applies
    /// anywhere in it: a number above its maximum, a number below its minimum, a required
    /// property left out, a value outside its enum, a string or array past its length; failing
    /// all, the wrong type at the top (an array where an object belongs).
    static func violating(_ value: JSONValue, schema: GenerationSchema?) -> JSONValue {
        guard let schema else { return .array([value]) }
        let rules: [(JSONValue, GenerationSchema) -> JSONValue?] = [aboveMaximum, belowMinimum, missingRequired, outsideEnum, tooLong]
        for rule in rules {
            if let changed = rewrite(value, schema, rule), !schema.violations(of: changed).isEmpty { return changed }
        }
        return wrongType(value)
    }

    /// The first place, depth first, where `rule` changes the value, with the tree around it kept.
    static func rewrite(_ value: JSONValue, _ schema: GenerationSchema, _ rule: (JSONValue, GenerationSchema) -> JSONValue?) -> JSONValue? {
        if let changed = rule(value, schema) { return changed }
        switch value {
        case .object(var members):
            let names = schema.propertyOrder + members.keys.filter { schema.properties[$0] == nil }.sorted()
            for name in names {
                guard let member = members[name], let property = schema.properties[name] else { continue }
                if let changed = rewrite(member, property, rule) {
                    members[name] = changed
                    return .object(members)
                }
            }
        case .array(var elements):
            guard let items = schema.items else { return nil }
            for index in elements.indices {
                if let changed = rewrite(elements[index], items, rule) {
                    elements[index] = changed
                    return .array(elements)
                }
            }
        default:
            break
        }
        return nil
    }

    static func aboveMaximum(_ value: JSONValue, _ schema: GenerationSchema) -> JSONValue? {
        guard value.doubleValue != nil, let bound = schema.maximum ?? schema.exclusiveMaximum else { return nil }
        if case .int = value, bound.magnitude < 1e15 { return .int(Int64(bound.rounded(.down)) + 1) }
        return .double(bound + 1.5)
    }

    static func belowMinimum(_ value: JSONValue, _ schema: GenerationSchema) -> JSONValue? {
        guard value.doubleValue != nil, let bound = schema.minimum ?? schema.exclusiveMinimum else { return nil }
        if case .int = value, bound.magnitude < 1e15 { return .int(Int64(bound.rounded(.up)) - 1) }
        return .double(bound - 1.5)
    }

    static func missingRequired(_ value: JSONValue, _ schema: GenerationSchema) -> JSONValue? {
        guard case .object(var members) = value, let name = schema.required.first(where: { members[$0] != nil }) else { return nil }
        members[name] = nil
        return .object(members)
    }

    static func outsideEnum(_ value: JSONValue, _ schema: GenerationSchema) -> JSONValue? {
        guard let choices = schema.enumValues, !choices.isEmpty else { return nil }
        var candidate = "other"
        while choices.contains(.string(candidate)) { candidate += "_value" }
        return .string(candidate)
    }

    static func tooLong(_ value: JSONValue, _ schema: GenerationSchema) -> JSONValue? {
        switch value {
        case .string(let text):
            guard let limit = schema.maxLength else { return nil }
            return .string(text + String(repeating: "x", count: max(1, limit + 1 - text.unicodeScalars.count)))
        case .array(let elements):
            guard let limit = schema.maxItems else { return nil }
            let filler = elements.last ?? .null
            return .array(elements + Array(repeating: filler, count: max(1, limit + 1 - elements.count)))
        default:
            return nil
        }
    }

    static func wrongType(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object: .array([value])
        case .array: .object(["items": value])
        case .string: .int(0)
        default: .string("n/a")
        }
    }
}
