import CRMImport
import Crypto
import Foundation
import PlatformStore
import VelocityTypes

/// Turns the rows of one person (a cluster of the batch) into proposals: the person (values
/// merged, disagreements kept as conflicts), their company as an account (once per batch),
/// one lead, and each distinct property interest. Pure: the same rows give the same
/// proposals, ids included, so a resumed propose step repeats itself exactly.
struct CRMProposalAssembler {
    let batchID: String

    /// A stable UUID for a proposal of this batch: SHA-256 of the batch, kind and key.
    func id(_ kind: String, _ key: String) -> String {
        var bytes = Array(SHA256.hash(data: Array("\(batchID)|\(kind)|\(key)".utf8)).prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x80  // version 8: application-defined
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return Hex.uuid(bytes)!
    }

    /// A company's identity in the batch.
    static func accountKey(_ name: String) -> String { CanonicalPayload.accountKey(name) }

    /// The fuzzy match's name block: the first two letters of the first word and the first
    /// three of the last (`rahul sharma` → `ra|sha`), as `crm_people_city_name` indexes it.
    static func nameBlock(_ nameKey: String) -> String? {
        guard nameKey.count >= 3 else { return nil }
        let last = nameKey.split(separator: " ").last.map(String.init) ?? nameKey
        return String(nameKey.prefix(2)) + "|" + String(last.prefix(3))
    }

    /// The proposals of one cluster, rows in file order. `emittedAccounts` holds the account
    /// keys already proposed in this batch; new ones are proposed here and added.
    func proposals(_ rows: [(row: Int, data: NormalizedRow)], emittedAccounts: inout Set<String>) -> [CRMProposalDraft] {
        let people = rows.compactMap { row in row.data.person.map { (row: row.row, person: $0) } }
        guard let first = people.first else { return [] }
        let sourceRows = rows.map(\.row)
        let personID = id("person", String(first.row))
        var drafts: [CRMProposalDraft] = []

        var accountRef: String?
        if let company = rows.lazy.compactMap({ $0.data.account?.name }).first(where: { !$0.isEmpty }) {
            let key = Self.accountKey(company)
            if !key.isEmpty {
                accountRef = id("account", key)
                if emittedAccounts.insert(key).inserted {
                    drafts.append(
                        CRMProposalDraft(
                            id: accountRef!, entityType: .account,
                            payload: .object(["name": .string(company), "name_key": .string(key)]),
                            sourceRows: [rows.first { $0.data.account?.name == company }?.row ?? first.row],
                            confidence: 0.9, matchKeys: .object(["name_key": .string(key)])))
                }
            }
        }
        drafts.append(person(people, id: personID, accountRef: accountRef, rows: rows, sourceRows: sourceRows))
        if let lead = lead(rows, personID: personID, sourceRows: sourceRows) { drafts.append(lead) }
        drafts += interests(rows, personID: personID)
        return drafts
    }

    private func person(
        _ people: [(row: Int, person: NormalizedPerson)], id: String, accountRef: String?,
        rows: [(row: Int, data: NormalizedRow)], sourceRows: [Int]
    ) -> CRMProposalDraft {
        func firstValue(_ value: (NormalizedPerson) -> String?) -> String? {
            for entry in people { if let found = value(entry.person), !found.isEmpty { return found } }
            return nil
        }
        let named = people.first { !($0.person.fullName ?? "").isEmpty }?.person
        var phones: [String] = []
        var emails: [String] = []
        for (_, person) in people {
            for phone in person.phones + [person.whatsapp].compactMap({ $0 }) where !phones.contains(phone) {
                phones.append(phone)
            }
            for email in person.emails where !emails.contains(email) { emails.append(email) }
        }
        let primaryPhone = firstValue(\.primaryPhone) ?? phones.first
        let primaryEmail = firstValue(\.primaryEmail) ?? emails.first
        let city = firstValue(\.city)
        var payload: [String: JSONValue] = [
            "full_name": .string(named?.fullName ?? ""), "name_key": .string(named?.nameKey ?? ""),
            "phones": .array(phones.map(JSONValue.string)), "emails": .array(emails.map(JSONValue.string)),
        ]
        func set(_ key: String, _ value: String?) { if let value { payload[key] = .string(value) } }
        set("first_name", named?.firstName ?? firstValue(\.firstName))
        set("last_name", named?.lastName ?? firstValue(\.lastName))
        set("salutation", firstValue(\.salutation))
        set("primary_phone", primaryPhone)
        set("primary_email", primaryEmail)
        set("city", city)
        set("state", firstValue(\.state))
        set("country", firstValue(\.country))
        set("address", firstValue(\.address))
        set("job_title", rows.lazy.compactMap { $0.data.account?.jobTitle }.first { !$0.isEmpty })

        var conflicts: [JSONValue] = []
        func conflict(_ field: String, _ values: [String?]) {
            var distinct: [String] = []
            for value in values.compactMap({ $0 }) where !value.isEmpty && !distinct.contains(value) {
                distinct.append(value)
            }
            if distinct.count > 1 {
                conflicts.append(.object(["field": .string(field), "values": .array(distinct.map(JSONValue.string))]))
            }
        }
        let names = people.map { ($0.person.nameKey ?? "", $0.person.fullName) }
        var byKey: [String: String] = [:]
        for (key, name) in names where !key.isEmpty { byKey[key] = byKey[key] ?? name }
        if byKey.count > 1 { conflict("full_name", names.map { $0.1 }) }
        conflict("primary_email", people.map(\.person.primaryEmail))
        conflict("city", people.map { $0.person.city?.lowercased() })

        let issues = Self.issues(rows) { $0.map { $0.entity == .person || $0.entity == .account } ?? true }
        var confidence: Double
        switch (primaryPhone != nil, primaryEmail != nil) {
        case (true, true): confidence = 0.95
        case (true, false): confidence = 0.9
        case (false, true): confidence = 0.85
        case (false, false): confidence = 0.5
        }
        if people.count > 1 && conflicts.isEmpty { confidence = min(0.99, confidence + 0.02) }
        if !conflicts.isEmpty { confidence -= 0.15 }
        confidence = max(0.1, confidence - 0.1 * Double(Set(issues.compactMap { $0["code"]?.stringValue }).count))

        var keys: [String: JSONValue] = [
            "phones": .array(phones.map(JSONValue.string)), "emails": .array(emails.map(JSONValue.string)),
            "name_key": .string(named?.nameKey ?? ""),
        ]
        if let city { keys["city"] = .string(city.lowercased()) }
        if let block = Self.nameBlock(named?.nameKey ?? "") { keys["name_block"] = .string(block) }
        if let primaryPhone, primaryPhone.count >= 7 { keys["phone_suffix"] = .string(String(primaryPhone.suffix(7))) }
        return CRMProposalDraft(
            id: id, entityType: .person, accountRef: accountRef, payload: .object(payload), sourceRows: sourceRows,
            confidence: Self.rounded(confidence), issues: issues, conflicts: conflicts, matchKeys: .object(keys))
    }

    private func lead(_ rows: [(row: Int, data: NormalizedRow)], personID: String, sourceRows: [Int]) -> CRMProposalDraft? {
        let leads = rows.compactMap(\.data.lead)
        guard !leads.isEmpty else { return nil }
        func firstValue(_ value: (NormalizedLead) -> String?) -> String? {
            for lead in leads { if let found = value(lead), !found.isEmpty { return found } }
            return nil
        }
        var payload: [String: JSONValue] = [:]
        func set(_ key: String, _ value: String?) { if let value { payload[key] = .string(value) } }
        set("source", firstValue(\.source))
        set("status", firstValue(\.status))
        set("owner", firstValue(\.owner))
        set("created_at", firstValue(\.createdAt))
        set("external_id", firstValue(\.externalId))
        var notes: [String] = []
        for note in leads.compactMap(\.notes) where !note.isEmpty && !notes.contains(note) { notes.append(note) }
        if !notes.isEmpty { payload["notes"] = .string(notes.joined(separator: "\n")) }
        guard !payload.isEmpty else { return nil }
        let issues = Self.issues(rows) { $0?.entity == .lead }
        return CRMProposalDraft(
            id: id("lead", personID), entityType: .lead, personRef: personID, payload: .object(payload),
            sourceRows: sourceRows, confidence: Self.rounded(max(0.3, 0.9 - 0.1 * Double(issues.count))), issues: issues)
    }

    private func interests(_ rows: [(row: Int, data: NormalizedRow)], personID: String) -> [CRMProposalDraft] {
        var seen: [String: Int] = [:]
        var drafts: [CRMProposalDraft] = []
        for (row, data) in rows {
            guard let interest = data.interest else { continue }
            let key = "\(interest.project?.lowercased() ?? "")|\(interest.configuration ?? "")"
            if let index = seen[key] {
                drafts[index].sourceRows.append(row)
                continue
            }
            var payload: [String: JSONValue] = [:]
            func set(_ key: String, _ value: String?) { if let value, !value.isEmpty { payload[key] = .string(value) } }
            set("project", interest.project)
            set("configuration", interest.configuration)
            set("property_type", interest.propertyType?.rawValue)
            set("location", interest.location)
            if let budget = interest.budget {
                payload["budget_min"] = .int(budget.min)
                payload["budget_max"] = .int(budget.max)
                payload["currency"] = .string(budget.currency)
            }
            guard !payload.isEmpty else { continue }
            let issues = Self.issues([(row, data)]) { $0?.entity == .propertyInterest }
            seen[key] = drafts.count
            drafts.append(
                CRMProposalDraft(
                    id: id("interest", "\(personID)|\(key)"), entityType: .propertyInterest, personRef: personID,
                    payload: .object(payload), sourceRows: [row],
                    confidence: Self.rounded(max(0.3, (interest.budget == nil ? 0.8 : 0.9) - 0.1 * Double(issues.count))),
                    issues: issues))
        }
        return drafts
    }

    /// The rows' issues about fields `belongs` accepts, as `{"row", "column", "field", "code", "message"}`.
    static func issues(
        _ rows: [(row: Int, data: NormalizedRow)], where belongs: (CanonicalField?) -> Bool
    ) -> [JSONValue] {
        rows.flatMap { row in
            row.data.issues.filter { belongs($0.field) }.map { issue in issueJSON(issue, row: row.row) }
        }
    }

    static func issueJSON(_ issue: FieldIssue, row: Int?) -> JSONValue {
        var fields: [String: JSONValue] = ["code": .string(issue.code.rawValue), "message": .string(issue.message)]
        if let row { fields["row"] = .int(Int64(row)) }
        if let column = issue.column { fields["column"] = .int(Int64(column)) }
        if let field = issue.field { fields["field"] = .string(field.rawValue) }
        if let raw = issue.raw { fields["raw"] = .string(raw) }
        return .object(fields)
    }

    static func rounded(_ value: Double) -> Double { (value * 1000).rounded() / 1000 }
}
