import VelocityTypes

/// `allOf`, `anyOf`, `oneOf`, `not`, `if`/`then`/`else`.
extension SchemaEvaluator {
    func combine(_ keyword: Keyword, at path: String, _ instance: JSONValue, into failures: inout [ValidationFailure]) {
        switch keyword {
        case .allOf(let nodes):
            // Every alternative must hold, so its own failures say best what is wrong.
            for node in nodes { evaluate(node, instance, into: &failures) }
        case .anyOf(let nodes):
            var misses: [ValidationFailure] = []
            for node in nodes {
                var branch: [ValidationFailure] = []
                evaluate(node, instance, into: &branch)
                guard let first = branch.first else { return }
                misses.append(first)
            }
            failures.append(failure("anyOf", at: path, Self.noMatch("anyOf", misses)))
        case .oneOf(let nodes):
            var misses: [ValidationFailure] = []
            var matches: [Int] = []
            for (index, node) in nodes.enumerated() {
                var branch: [ValidationFailure] = []
                evaluate(node, instance, into: &branch)
                if let first = branch.first { misses.append(first) } else { matches.append(index) }
            }
            if matches.isEmpty {
                failures.append(failure("oneOf", at: path, Self.noMatch("oneOf", misses)))
            } else if matches.count > 1 {
                let list = Self.conjunction(matches.map(String.init))
                failures.append(failure("oneOf", at: path, "matches the oneOf alternatives \(list), but must match exactly one"))
            }
        case .not(let node):
            if passes(node, instance) {
                failures.append(failure("not", at: path, "must not match the schema in \"not\""))
            }
        case .conditional(let condition, let then, let otherwise):
            let branch = passes(condition, instance) ? then : otherwise
            if let branch { evaluate(branch, instance, into: &failures) }
        default:
            break
        }
    }

    /// `matches none of the 2 anyOf alternatives: [0] /pet: expected type string but got
    /// object; [1] /pet: missing required property "bark"`: the first failure of each
    /// alternative, so that the producer sees what each one wanted.
    private static func noMatch(_ keyword: String, _ misses: [ValidationFailure]) -> String {
        let details = misses.enumerated().map { "[\($0.offset)] \($0.element.message)" }.joined(separator: "; ")
        return "matches none of the \(misses.count) \(keyword) alternatives: \(details)"
    }

    /// `0`, `0 and 1`, `0, 1 and 2`.
    static func conjunction(_ items: [String]) -> String {
        guard let last = items.last, items.count > 1 else { return items.first ?? "" }
        return "\(items.dropLast().joined(separator: ", ")) and \(last)"
    }
}
