import VelocityTypes

/// `required`, `properties`, `patternProperties`, `additionalProperties`, `propertyNames`,
/// `dependentRequired`, `dependentSchemas`, `minProperties`, `maxProperties`. Members are
/// visited in sorted order so that failures come in the same order every time.
extension SchemaEvaluator {
    /// Names listed in an "is not allowed" message before it is cut.
    private static let listedNames = 10

    func checkObject(
        _ keyword: Keyword, at path: String, _ members: [String: JSONValue], _ instance: JSONValue,
        into failures: inout [ValidationFailure]
    ) {
        switch keyword {
        case .required(let names):
            for name in names where members[name] == nil {
                failures.append(failure("required", at: path, "missing required property \(name.quotedForMessage)"))
            }
        case .properties(let schemas):
            for schema in schemas {
                guard let value = members[schema.name] else { continue }
                checkMember(schema.name, value, schema.node, "properties", at: path, into: &failures)
            }
        case .patternProperties(let schemas):
            for (name, value) in members.sorted(by: { $0.key < $1.key }) {
                for schema in schemas where schema.pattern.matches(name) {
                    checkMember(name, value, schema.node, "patternProperties", at: path, into: &failures)
                }
            }
        case .additionalProperties(let node, let declared, let patterns):
            let additional = members.sorted(by: { $0.key < $1.key }).filter { name, _ in
                !declared.contains(name) && !patterns.contains { $0.matches(name) }
            }
            for (name, value) in additional {
                checkMember(name, value, node, "additionalProperties", at: path,
                            allowed: patterns.isEmpty ? declared : [], into: &failures)
            }
        case .propertyNames(let node):
            for name in members.keys.sorted() {
                var problems: [ValidationFailure] = []
                evaluate(node, .string(name), into: &problems)
                guard let problem = problems.first else { continue }
                failures.append(failure("propertyNames", at: path,
                    "property name \(name.quotedForMessage) is invalid: \(problem.reason)"))
            }
        case .dependentRequired(let dependencies):
            for dependency in dependencies where members[dependency.property] != nil {
                for name in dependency.required where members[name] == nil {
                    failures.append(failure("dependentRequired", at: path,
                        "property \(dependency.property.quotedForMessage) requires property \(name.quotedForMessage), which is missing"))
                }
            }
        case .dependentSchemas(let schemas):
            for schema in schemas where members[schema.name] != nil {
                evaluate(schema.node, instance, into: &failures)
            }
        case .minProperties(let minimum) where members.count < minimum:
            failures.append(failure("minProperties", at: path,
                "object has \(Self.count(members.count, "property", "properties")), fewer than the minimum \(minimum)"))
        case .maxProperties(let maximum) where members.count > maximum:
            failures.append(failure("maxProperties", at: path,
                "object has \(Self.count(members.count, "property", "properties")), more than the maximum \(maximum)"))
        default:
            break
        }
    }

    /// A member against its subschema; a `false` subschema is reported on the object as a
    /// property that is not allowed, naming the allowed ones when there are few.
    private func checkMember(
        _ name: String, _ value: JSONValue, _ node: NodeID, _ keyword: String, at path: String,
        allowed: Set<String> = [], into failures: inout [ValidationFailure]
    ) {
        guard isAlwaysFalse(node) else {
            descend(name) { evaluate(node, value, into: &failures) }
            return
        }
        var reason = "property \(name.quotedForMessage) is not allowed"
        if !allowed.isEmpty, allowed.count <= Self.listedNames {
            reason += "; the allowed properties are \(allowed.sorted().map(\.quotedForMessage).joined(separator: ", "))"
        }
        failures.append(failure(keyword, at: path, reason))
    }
}
