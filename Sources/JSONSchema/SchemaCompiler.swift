import Foundation
import VelocityTypes

/// Turns a schema document into a `SchemaGraph`, checking the value of every keyword it knows.
///
/// `$ref`s are resolved once the tree under the root is compiled: an `$anchor` may come after
/// a reference to it, and a JSON pointer may lead to a part of the document that no keyword
/// reaches (a draft-07 `definitions`), which is compiled then.
struct SchemaCompiler {
    let formatAssertion: Bool
    private let document: JSONValue
    /// The root's `$id` without an empty fragment: a `$ref` that starts with it is local.
    private var documentID: String?
    private var nodes: [SchemaNode] = []
    private var nodeAtLocation: [String: NodeID] = [:]
    private var anchors: [String: NodeID] = [:]
    /// Every `$ref` met, in the order of `Keyword.ref`'s slots.
    private var references: [PendingReference] = []

    private struct PendingReference {
        let reference: String
        let schemaPath: String
    }

    private enum ReferenceTarget {
        case pointer([String])
        case anchor(String)
    }

    private init(document: JSONValue, formatAssertion: Bool) {
        self.document = document
        self.formatAssertion = formatAssertion
    }

    static func compile(_ document: JSONValue, formatAssertion: Bool) throws(SchemaError) -> SchemaGraph {
        var compiler = SchemaCompiler(document: document, formatAssertion: formatAssertion)
        compiler.documentID = try compiler.readDocumentID()
        let root = try compiler.compileSchema(document, at: "")
        let targets = try compiler.resolveReferences()
        return SchemaGraph(nodes: compiler.nodes, refTargets: targets, root: root)
    }

    /// Compiles the schema at `location` once; a second call, from a `$ref`, finds it.
    mutating func compileSchema(_ value: JSONValue, at location: String) throws(SchemaError) -> NodeID {
        if let existing = nodeAtLocation[location] { return existing }
        let node = nodes.count
        nodes.append(SchemaNode(location: location))
        nodeAtLocation[location] = node
        switch value {
        case .bool(let constant):
            nodes[node].constant = constant
        case .object(let schema):
            try registerIdentity(schema, at: location, node: node)
            let keywords = try compileKeywords(schema, at: location)
            nodes[node].keywords = keywords
        default:
            throw SchemaError(at: location, "a schema must be an object or a boolean, got \(Self.describe(value))")
        }
        return node
    }

    /// Records a `$ref` for resolution after the tree is compiled; returns its slot.
    mutating func registerReference(_ reference: String, at schemaPath: String) -> Int {
        references.append(PendingReference(reference: reference, schemaPath: schemaPath))
        return references.count - 1
    }

    /// `string "x"`, `integer 5`: how a wrong keyword value is shown in a `SchemaError`.
    static func describe(_ value: JSONValue) -> String {
        "\(JSONType.name(of: value)) \(value.messageText)"
    }

    private func readDocumentID() throws(SchemaError) -> String? {
        guard case .object(let schema) = document, let value = schema["$id"] else { return nil }
        guard case .string(let id) = value else {
            throw SchemaError(at: "/$id", "\"$id\" must be a string, got \(Self.describe(value))")
        }
        return id.hasSuffix("#") ? String(id.dropLast()) : id
    }

    /// `$anchor`s name schemas for `$ref`; an `$id` below the root would start a second
    /// resource with its own base for references, which this module does not follow.
    private mutating func registerIdentity(
        _ schema: [String: JSONValue], at location: String, node: NodeID
    ) throws(SchemaError) {
        if !location.isEmpty, schema["$id"] != nil {
            throw SchemaError(
                at: JSONPointer.appending("$id", to: location),
                "\"$id\" below the root starts a separate schema resource, which is not supported; "
                    + "put the schema under \"$defs\" and use \"$ref\": \"#/$defs/...\"")
        }
        guard let value = schema["$anchor"] else { return }
        let path = JSONPointer.appending("$anchor", to: location)
        guard case .string(let name) = value, Self.isAnchorName(name) else {
            throw SchemaError(at: path, "\"$anchor\" must be a name of letters, digits, \"-\", \"_\" and \".\", "
                + "starting with a letter or \"_\"; got \(Self.describe(value))")
        }
        if let earlier = anchors[name] {
            throw SchemaError(at: path, "\"$anchor\" \(name.quotedForMessage) is already used at #\(nodes[earlier].location)")
        }
        anchors[name] = node
    }

    private static func isAnchorName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.isASCII,
              first.properties.isAlphabetic || first == "_"
        else { return false }
        return name.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_.".unicodeScalars.contains(scalar))
        }
    }

    /// Pointer references first, since the schemas they compile may declare anchors; anchor
    /// references after.
    private mutating func resolveReferences() throws(SchemaError) -> [NodeID] {
        var targets: [NodeID?] = []
        var anchored: [(slot: Int, name: String)] = []
        var slot = 0
        while slot < references.count {
            let pending = references[slot]
            switch try target(of: pending) {
            case .pointer(let tokens):
                targets.append(try compileTarget(tokens, for: pending))
            case .anchor(let name):
                targets.append(nil)
                anchored.append((slot, name))
            }
            slot += 1
        }
        for (slot, name) in anchored {
            let pending = references[slot]
            guard let node = anchors[name] else {
                throw SchemaError(at: pending.schemaPath, "$ref \(pending.reference.quotedForMessage) does not resolve: "
                    + "no \"$anchor\": \(name.quotedForMessage) in this schema")
            }
            targets[slot] = node
        }
        return targets.compactMap { $0 }
    }

    private func target(of pending: PendingReference) throws(SchemaError) -> ReferenceTarget {
        let reference = pending.reference
        let hash = reference.firstIndex(of: "#")
        let base = hash.map { String(reference[..<$0]) } ?? reference
        let fragment = hash.map { String(reference[reference.index(after: $0)...]) } ?? ""
        guard base.isEmpty || base == documentID else {
            throw SchemaError(at: pending.schemaPath, "$ref \(reference.quotedForMessage) points outside this schema; "
                + "only references within it (starting with \"#\") are supported")
        }
        guard let decoded = fragment.removingPercentEncoding else {
            throw SchemaError(at: pending.schemaPath, "$ref \(reference.quotedForMessage) has a malformed percent escape")
        }
        guard decoded.isEmpty || decoded.hasPrefix("/") else { return .anchor(decoded) }
        guard let tokens = JSONPointer.tokens(of: decoded) else {
            throw SchemaError(at: pending.schemaPath, "$ref \(reference.quotedForMessage) is not a valid JSON pointer "
                + "(\"~\" must be followed by 0 or 1)")
        }
        return .pointer(tokens)
    }

    private mutating func compileTarget(_ tokens: [String], for pending: PendingReference) throws(SchemaError) -> NodeID {
        let location = JSONPointer.pointer(tokens)
        if let existing = nodeAtLocation[location] { return existing }
        var value = document
        for token in tokens {
            guard let child = Self.child(of: value, token) else {
                throw SchemaError(at: pending.schemaPath, "$ref \(pending.reference.quotedForMessage) does not resolve: "
                    + "nothing at #\(location) in this schema")
            }
            value = child
        }
        return try compileSchema(value, at: location)
    }

    private static func child(of value: JSONValue, _ token: String) -> JSONValue? {
        switch value {
        case .object(let object):
            return object[token]
        case .array(let array):
            guard let index = Int(token), String(index) == token, array.indices.contains(index) else { return nil }
            return array[index]
        default:
            return nil
        }
    }
}
