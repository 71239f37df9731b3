import CRMImport
import Foundation
import PlatformStore
import VelocityTypes

/// The body of `PUT /api/crm/imports/{batch_id}/review-proposal`: mapping edits, decisions
/// on proposals, and rule-based bulk decisions. Each part is optional; at least one is given.
struct CRMReviewRequest: Decodable, Sendable {
    struct Decision: Decodable, Sendable {
        var proposal_id: String
        var decision: String
        var canonical_payload: JSONValue?
        var merge_target: String?
        var notes: String?
    }

    struct Bulk: Decodable, Sendable {
        var decision: String
        /// The filter, as the reviewer wrote it (recorded on each decision).
        var `where`: JSONValue
        var notes: String?
    }

    var mapping_edits: [MappingEdit]?
    /// Maps the columns afresh with this profile before the edits.
    var source_profile: String?
    var decisions: [Decision]?
    var bulk: [Bulk]?

    static let maxDecisions = 10_000
    static let maxNotes = 4_000

    var hasMappingChange: Bool { !(mapping_edits ?? []).isEmpty || source_profile != nil }

    /// The proposal ids the decisions name, for looking up their entity types.
    var proposalIDs: [String] { (decisions ?? []).map { $0.proposal_id.lowercased() }.filter { UUID(uuidString: $0) != nil } }

    /// Checks the shape of every part; the first broken rule is a 422 naming its field.
    func validated(region: PhoneRegion, entityTypes: [String: String]) throws -> (decisions: [CRMReviewDecision], bulk: [CRMBulkDecision]) {
        let decisions = self.decisions ?? []
        let bulk = self.bulk ?? []
        guard hasMappingChange || !decisions.isEmpty || !bulk.isEmpty else {
            throw GatewayError.invalid(field: "body", "must hold mapping_edits, decisions or bulk")
        }
        if hasMappingChange && (!decisions.isEmpty || !bulk.isEmpty) {
            throw GatewayError.invalid(
                field: "mapping_edits", "cannot come with decisions: a new mapping makes new proposals")
        }
        if let source_profile, SourceProfile(rawValue: source_profile) == nil {
            throw GatewayError.invalid(
                field: "source_profile",
                "must be one of \(SourceProfile.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard decisions.count <= Self.maxDecisions else {
            throw GatewayError.invalid(field: "decisions", "must hold at most \(Self.maxDecisions) decisions")
        }
        var seen = Set<String>()
        let typed = try decisions.enumerated().map { index, decision in
            try Self.decision(
                decision, field: "decisions.\(index)", region: region, entityTypes: entityTypes, seen: &seen)
        }
        let rules = try bulk.enumerated().map { index, rule in try Self.bulk(rule, field: "bulk.\(index)") }
        return (typed, rules)
    }

    private static func decision(
        _ decision: Decision, field: String, region: PhoneRegion, entityTypes: [String: String],
        seen: inout Set<String>
    ) throws -> CRMReviewDecision {
        let id = decision.proposal_id.lowercased()
        guard UUID(uuidString: id) != nil else {
            throw GatewayError.invalid(field: "\(field).proposal_id", "is not a proposal id")
        }
        guard seen.insert(id).inserted else {
            throw GatewayError.invalid(field: "\(field).proposal_id", "names a proposal decided earlier in this review")
        }
        guard let kind = CRMReviewDecision.Kind(rawValue: decision.decision) else {
            throw GatewayError.invalid(field: "\(field).decision", "must be approve, reject, edit or merge")
        }
        try checkNotes(decision.notes, field: "\(field).notes")
        var payload: JSONValue?
        if kind == .edit {
            guard let edited = decision.canonical_payload, edited.isObject else {
                throw GatewayError.invalid(field: "\(field).canonical_payload", "is required as an object to edit")
            }
            // A proposal not in the batch is refused by the store, naming it.
            if let entityType = entityTypes[id] {
                do {
                    payload = try CanonicalPayload.normalizedEdit(edited, entityType: entityType, region: region)
                } catch {
                    let path = error.field.isEmpty ? "" : ".\(error.field)"
                    throw GatewayError.invalid(field: "\(field).canonical_payload\(path)", error.message)
                }
            } else {
                payload = edited
            }
        } else if decision.canonical_payload != nil {
            throw GatewayError.invalid(field: "\(field).canonical_payload", "is only for an edit")
        }
        if kind == .merge {
            guard let target = decision.merge_target, UUID(uuidString: target) != nil else {
                throw GatewayError.invalid(field: "\(field).merge_target", "is required to merge: a crm_people or crm_accounts id")
            }
        } else if decision.merge_target != nil {
            throw GatewayError.invalid(field: "\(field).merge_target", "is only for a merge")
        }
        return CRMReviewDecision(
            id: UUID().uuidString.lowercased(), proposalID: id, kind: kind, payload: payload,
            mergeTarget: decision.merge_target?.lowercased(), notes: decision.notes)
    }

    private static func bulk(_ rule: Bulk, field: String) throws -> CRMBulkDecision {
        guard let kind = CRMBulkDecision.Kind(rawValue: rule.decision) else {
            throw GatewayError.invalid(field: "\(field).decision", "must be approve, reject or merge")
        }
        try checkNotes(rule.notes, field: "\(field).notes")
        let filter = try CRMProposalFilter(json: rule.where, field: "\(field).where")
        return CRMBulkDecision(
            kind: kind, filter: filter, notes: rule.notes,
            rule: .object(["decision": .string(rule.decision), "where": rule.where]))
    }

    private static func checkNotes(_ notes: String?, field: String) throws {
        if let notes, notes.count > maxNotes {
            throw GatewayError.invalid(field: field, "must be at most \(maxNotes) characters")
        }
    }
}
