public import VelocityTypes

extension JSONSchema {
    /// Where `value` does not fit this schema, one line per problem (`$.rooms[1].area: 950 is
    /// above the maximum 500`); empty when it fits.
    public func violations(of value: JSONValue) -> [String] {
        var found: [String] = []
        check(value, at: "$", into: &found)
        return found
    }

    func check(_ value: JSONValue, at path: String, into found: inout [String]) {
        if let constValue, constValue != value {
            found.append("\(path): must be \(constValue.jsonText), got \(value.jsonText)")
        }
        if let enumValues, !enumValues.contains(value) {
            found.append("\(path): \(value.jsonText) is not one of \(JSONValue.array(enumValues).jsonText)")
        }
        if !types.isEmpty && !types.contains(where: { Self.value(value, hasType: $0) }) {
            found.append("\(path): expected \(types.joined(separator: " or ")), got \(value.typeName)")
            return
        }
        for part in allOf { part.check(value, at: path, into: &found) }
        if !anyOf.isEmpty && !anyOf.contains(where: { $0.violations(of: value).isEmpty }) {
            found.append("\(path): fits none of the anyOf/oneOf alternatives")
        }
        switch value {
        case .int, .double:
            checkBounds(value.doubleValue ?? 0, value: value, at: path, into: &found)
        case .string(let text):
            let length = text.unicodeScalars.count
            if let minLength, length < minLength { found.append("\(path): shorter than \(minLength) characters") }
            if let maxLength, length > maxLength { found.append("\(path): longer than \(maxLength) characters") }
        case .array(let elements):
            if let minItems, elements.count < minItems { found.append("\(path): fewer than \(minItems) items") }
            if let maxItems, elements.count > maxItems { found.append("\(path): more than \(maxItems) items") }
            if let items {
                for (index, element) in elements.enumerated() { items.check(element, at: "\(path)[\(index)]", into: &found) }
            }
        case .object(let members):
            for name in required where members[name] == nil { found.append("\(path): missing required property '\(name)'") }
            for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                if let schema = properties[name] {
                    schema.check(member, at: "\(path).\(name)", into: &found)
                } else if !additionalProperties {
                    found.append("\(path): unexpected property '\(name)'")
                }
            }
        case .null, .bool:
            break
        }
    }

    private func checkBounds(_ number: Double, value: JSONValue, at path: String, into found: inout [String]) {
        let text = value.jsonText
        if let minimum, number < minimum { found.append("\(path): \(text) is below the minimum \(minimum)") }
        if let maximum, number > maximum { found.append("\(path): \(text) is above the maximum \(maximum)") }
        if let exclusiveMinimum, number <= exclusiveMinimum {
            found.append("\(path): \(text) is not above the exclusive minimum \(exclusiveMinimum)")
        }
        if let exclusiveMaximum, number >= exclusiveMaximum {
            found.append("\(path): \(text) is not below the exclusive maximum \(exclusiveMaximum)")
        }
    }

    /// JSON Schema's types: an integer is also a number, and a number with no fraction is an
    /// integer.
    static func value(_ value: JSONValue, hasType type: String) -> Bool {
        switch (type, value) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object): true
        case ("number", .int), ("number", .double), ("integer", .int): true
        case ("integer", .double(let number)): number == number.rounded()
        default: false
        }
    }
}
