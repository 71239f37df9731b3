import VelocityTypes

/// `prefixItems`, `items`, `contains`, `minItems`, `maxItems`, `uniqueItems`.
extension SchemaEvaluator {
    func checkArray(_ keyword: Keyword, at path: String, _ items: [JSONValue], into failures: inout [ValidationFailure]) {
        switch keyword {
        case .prefixItems(let nodes):
            for (index, (node, item)) in zip(nodes, items).enumerated() {
                descend(String(index)) { evaluate(node, item, into: &failures) }
            }
        case .items(let node, let start):
            guard start < items.count else { return }
            if isAlwaysFalse(node) {
                // One failure for the array says more than one per extra item.
                let reason = start == 0
                    ? "array must be empty, but has \(Self.count(items.count, "item"))"
                    : "array has \(Self.count(items.count, "item")), but at most \(start) \(start == 1 ? "is" : "are") allowed"
                failures.append(failure("items", at: path, reason))
                return
            }
            for index in start..<items.count {
                descend(String(index)) { evaluate(node, items[index], into: &failures) }
            }
        case .contains(let node, let minimum, let maximum):
            checkContains(node, minimum: minimum, maximum: maximum, at: path, items, into: &failures)
        case .minItems(let minimum) where items.count < minimum:
            failures.append(failure("minItems", at: path,
                "array has \(Self.count(items.count, "item")), fewer than the minimum \(minimum)"))
        case .maxItems(let maximum) where items.count > maximum:
            failures.append(failure("maxItems", at: path,
                "array has \(Self.count(items.count, "item")), more than the maximum \(maximum)"))
        case .uniqueItems:
            guard let (first, second) = Self.firstDuplicate(items) else { return }
            failures.append(failure("uniqueItems", at: path, "items \(first) and \(second) are equal, but items must be unique"))
        default:
            break
        }
    }

    private func checkContains(
        _ node: NodeID, minimum: Int, maximum: Int?, at path: String, _ items: [JSONValue],
        into failures: inout [ValidationFailure]
    ) {
        var matches = 0
        for (index, item) in items.enumerated() {
            var matched = false
            descend(String(index)) { matched = passes(node, item) }
            if matched { matches += 1 }
        }
        if matches < minimum {
            let reason = matches == 0
                ? "no item matches the \"contains\" schema"
                : "\(Self.count(matches, "item")) match the \"contains\" schema, fewer than the minimum \(minimum)"
            failures.append(failure("contains", at: path, reason))
        }
        if let maximum, matches > maximum {
            failures.append(failure("maxContains", at: path,
                "\(Self.count(matches, "item")) match the \"contains\" schema, more than the maximum \(maximum)"))
        }
    }

    /// Pairwise, since equality here (1 equals 1.0) does not agree with `Hashable`.
    private static func firstDuplicate(_ items: [JSONValue]) -> (Int, Int)? {
        for second in items.indices {
            for first in 0..<second where items[first].schemaEquals(items[second]) {
                return (first, second)
            }
        }
        return nil
    }
}
