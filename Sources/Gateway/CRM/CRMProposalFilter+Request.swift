import Hummingbird
import PlatformStore
import VelocityTypes

extension CRMProposalFilter {
    static let keys: Set<String> = [
        "status", "entity_type", "min_confidence", "max_confidence", "conflict", "has_merge_candidate",
        "min_candidate_confidence", "max_candidate_confidence", "review_required",
    ]

    /// A bulk rule's `where`: an object of the filter's keys. An unknown key is refused, not
    /// ignored: a typo must not widen a rule to every proposal.
    init(json: JSONValue, field: String) throws {
        guard case .object(let fields) = json else { throw GatewayError.invalid(field: field, "must be an object") }
        var text: [String: String] = [:]
        for (key, value) in fields {
            guard Self.keys.contains(key) else {
                throw GatewayError.invalid(
                    field: "\(field).\(key)", "is not a filter; use \(Self.keys.sorted().joined(separator: ", "))")
            }
            switch value {
            case .null: continue
            case .string(let string): text[key] = string
            case .bool(let bool): text[key] = bool ? "true" : "false"
            case .int(let number): text[key] = String(number)
            case .double(let number): text[key] = String(number)
            case .array(let items):
                text[key] = try items.map { item -> String in
                    guard let string = item.stringValue else {
                        throw GatewayError.invalid(field: "\(field).\(key)", "must hold strings")
                    }
                    return string
                }.joined(separator: ",")
            case .object: throw GatewayError.invalid(field: "\(field).\(key)", "must not be an object")
            }
        }
        try self.init(values: text, field: field)
    }

    /// A proposals list's query parameters (`status=pending,approved&min_confidence=0.9`).
    init(query request: Request) throws {
        var text: [String: String] = [:]
        for key in Self.keys {
            if let value = request.uri.queryParameters[Substring(key)] { text[key] = String(value) }
        }
        try self.init(values: text, field: "query")
    }

    private init(values: [String: String], field: String) throws {
        func list<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws -> [T]? where T.RawValue == String {
            guard let raw = values[key] else { return nil }
            return try raw.split(separator: ",").map { item in
                guard let value = T(rawValue: String(item)) else {
                    throw GatewayError.invalid(
                        field: "\(field).\(key)",
                        "'\(item)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                return value
            }
        }
        func number(_ key: String) throws -> Double? {
            guard let raw = values[key] else { return nil }
            guard let value = Double(raw), value.isFinite, (0...1).contains(value) else {
                throw GatewayError.invalid(field: "\(field).\(key)", "must be a number from 0 to 1")
            }
            return value
        }
        func flag(_ key: String) throws -> Bool? {
            guard let raw = values[key] else { return nil }
            guard raw == "true" || raw == "false" else {
                throw GatewayError.invalid(field: "\(field).\(key)", "must be true or false")
            }
            return raw == "true"
        }
        self.init(
            statuses: try list("status", CRMProposal.Status.self),
            entityTypes: try list("entity_type", CRMProposal.EntityType.self),
            minConfidence: try number("min_confidence"), maxConfidence: try number("max_confidence"),
            conflict: try flag("conflict"), hasMergeCandidate: try flag("has_merge_candidate"),
            minCandidateConfidence: try number("min_candidate_confidence"),
            maxCandidateConfidence: try number("max_candidate_confidence"),
            reviewRequired: try flag("review_required"))
    }
}
