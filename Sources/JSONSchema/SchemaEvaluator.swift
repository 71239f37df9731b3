import VelocityTypes

/// One run of `JSONSchema.validate`: walks an instance through the compiled schemas, keeping
/// the instance path that failures report.
final class SchemaEvaluator {
    /// How many schemas deep an evaluation may nest before it stops with a failure; only a
    /// `$ref` can nest without bound, and each level costs stack.
    static let depthLimit = 256

    let graph: SchemaGraph
    private var tokens: [String] = []
    private var depth = 0
    /// The `$ref` targets being evaluated, with the instance depth each was entered at. Along
    /// one path of the evaluation the instance only grows deeper, so the same target at the
    /// same depth is the same evaluation again: a cycle that would never end.
    private var activeReferences: Set<ActiveReference> = []

    private struct ActiveReference: Hashable {
        let target: NodeID
        let instanceDepth: Int
    }

    init(graph: SchemaGraph) {
        self.graph = graph
    }

    func evaluate(_ node: NodeID, _ instance: JSONValue, into failures: inout [ValidationFailure]) {
        let schema = graph.nodes[node]
        if let constant = schema.constant {
            if !constant { failures.append(failure("false", at: schema.location, "no value is allowed here")) }
            return
        }
        depth += 1
        defer { depth -= 1 }
        for keyword in schema.keywords {
            apply(keyword, to: instance, into: &failures)
        }
    }

    /// Whether `instance` passes `node`, for the keywords that only need the answer (`not`,
    /// `if`, `contains`); the failures themselves are dropped.
    func passes(_ node: NodeID, _ instance: JSONValue) -> Bool {
        var failures: [ValidationFailure] = []
        evaluate(node, instance, into: &failures)
        return failures.isEmpty
    }

    /// A failure at the current instance location.
    func failure(_ keyword: String, at schemaPath: String, _ reason: String) -> ValidationFailure {
        ValidationFailure(instancePath: JSONPointer.pointer(tokens), keyword: keyword, schemaPath: schemaPath, reason: reason)
    }

    /// Runs `body` with the instance location moved to its member or item `token`.
    func descend(_ token: String, _ body: () -> Void) {
        tokens.append(token)
        body()
        tokens.removeLast()
    }

    /// `1 item`, `3 items`, `2 properties`.
    static func count(_ number: Int, _ noun: String, _ plural: String? = nil) -> String {
        number == 1 ? "1 \(noun)" : "\(number) \(plural ?? noun + "s")"
    }

    func isAlwaysFalse(_ node: NodeID) -> Bool {
        graph.nodes[node].constant == false
    }

    private func apply(_ compiled: CompiledKeyword, to instance: JSONValue, into failures: inout [ValidationFailure]) {
        let path = compiled.schemaPath
        switch compiled.keyword {
        case .ref(let slot, let reference):
            followReference(slot: slot, reference, at: path, instance, into: &failures)
        case .type, .enumeration, .constant:
            checkValue(compiled.keyword, at: path, instance, into: &failures)
        case .minimum, .maximum, .exclusiveMinimum, .exclusiveMaximum, .multipleOf:
            guard let number = SchemaNumber(instance) else { return }
            checkNumber(compiled.keyword, at: path, number, instance, into: &failures)
        case .minLength, .maxLength, .pattern, .format:
            guard case .string(let text) = instance else { return }
            checkString(compiled.keyword, at: path, text, into: &failures)
        case .prefixItems, .items, .contains, .minItems, .maxItems, .uniqueItems:
            guard case .array(let items) = instance else { return }
            checkArray(compiled.keyword, at: path, items, into: &failures)
        case .required, .properties, .patternProperties, .additionalProperties, .propertyNames,
             .dependentRequired, .dependentSchemas, .minProperties, .maxProperties:
            guard case .object(let members) = instance else { return }
            checkObject(compiled.keyword, at: path, members, instance, into: &failures)
        case .allOf, .anyOf, .oneOf, .not, .conditional:
            combine(compiled.keyword, at: path, instance, into: &failures)
        }
    }

    private func followReference(
        slot: Int, _ reference: String, at path: String, _ instance: JSONValue, into failures: inout [ValidationFailure]
    ) {
        let target = graph.refTargets[slot]
        let active = ActiveReference(target: target, instanceDepth: tokens.count)
        guard !activeReferences.contains(active) else {
            failures.append(failure("$ref", at: path, "$ref \(reference.quotedForMessage) leads back to itself "
                + "without moving into the value, so it can never be decided"))
            return
        }
        guard depth < Self.depthLimit else {
            failures.append(failure("$ref", at: path, "$ref \(reference.quotedForMessage) nests schemas more than "
                + "\(Self.depthLimit) deep; evaluation stopped here"))
            return
        }
        activeReferences.insert(active)
        defer { activeReferences.remove(active) }
        evaluate(target, instance, into: &failures)
    }
}
