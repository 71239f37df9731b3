import Foundation
import Gateway
import HummingbirdTesting
import JobContracts
import NIOCore
import PlatformStore
import Testing

@testable import Workers

/// The reviewer's side of a CRM import that needs more than "approve all": a column the mapper
/// cannot place, a row that is a person already in the CRM, a payload the reviewer corrects.
@Suite("CRM import review flow")
struct CRMImportReviewFlowTests {
    typealias S = CRMImportSupport

    /// Imports, approves and commits a one-row sheet of Rajesh Kumar; his person id.
    func rajeshInTheCRM(_ client: some TestClientProtocol, _ fixture: GatewayFixture) async throws -> String {
        let earlier = Array("Name,Mobile,Email,City\nRajesh Kumar,98765 43210,rajesh.kumar@gmail.com,Mumbai\n".utf8)
        let firstID = try #require(
            try await S.upload(client, token: fixture.acme, file: earlier, filename: "first.csv").body.json["id"] as? String)
        try await S.run(.ingest, firstID, fixture)
        _ = try await S.review(client, fixture.operatorKey, firstID, #"{"bulk":[{"decision":"approve","where":{}}]}"#)
        try await commit(client, fixture, firstID)
        return try #require(
            try await fixture.gateway.postgres.withConnection {
                try await $0.query("SELECT id::text FROM crm_people WHERE primary_phone = '+919876543210'")
            }.rows.first?.first ?? nil)
    }

    @Test("a mapping edit releases a waiting batch; a merge folds a row into an existing person; an edit is what gets committed")
    func mappingMergeEdit() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            // Rajesh is in the CRM from an earlier import.
            let rajeshID = try await rajeshInTheCRM(client, fixture)

            // A broker's sheet with a column no profile or synonym knows.
            let sheet = Array(
                """
                Name,Mobile,Email,City,Project,Looking For
                R. Kumar,+91 98765 43210,rajesh.k@work.in,Mumbai,Lodha Park,3bhk
                Anita Desai,98200 11223,anita.desai@gmail.com,Pune,Godrej Hills,2 BHK

                """.utf8)
            let id = try #require(
                try await S.upload(client, token: fixture.acme, file: sheet, filename: "broker.csv").body.json["id"]
                    as? String)
            try await S.run(.ingest, id, fixture)
            var detail = try await S.get(client, fixture.acme, id)
            #expect(detail["status"] as? String == "awaiting_mapping")
            #expect(detail["proposals"] as? Int == 0)
            let unmapped = (detail["manifest"] as? [String: Any])?["unmapped_columns"] as? [Any]
            #expect(unmapped?.count == 1)

            // A submitter cannot map; the reviewer maps the column and a propose job is queued.
            let refused = try await S.review(
                client, fixture.acme, id, #"{"mapping_edits":[{"column":"Looking For","field":"configuration"}]}"#)
            #expect(refused.status == .forbidden)
            let mapped = try await S.review(
                client, fixture.operatorKey, id, #"{"mapping_edits":[{"column":"Looking For","field":"configuration"}]}"#)
            #expect(mapped.status == .ok)
            let batch = try #require(mapped.body.json["batch"] as? [String: Any])
            #expect(batch["status"] as? String == "proposing")
            #expect((batch["jobs"] as? [Any])?.count == 1)
            try await S.run(.propose, id, fixture)
            detail = try await S.get(client, fixture.acme, id, query: "?limit=500")
            #expect(detail["status"] as? String == "in_review")
            #expect((detail["manifest"] as? [String: Any])?["is_resolved"] as? Bool == true)
            let proposals = S.proposals(detail)
            #expect(proposals.count == detail["proposals"] as? Int)  // the first page starts at seq 0
            let configurations = Set(
                proposals.filter { $0["entity_type"] as? String == "property_interest" }
                    .compactMap { ($0["canonical_payload"] as? [String: Any])?["configuration"] as? String })
            #expect(configurations == ["3 BHK", "2 BHK"])

            // R. Kumar's phone is Rajesh's: a candidate with its evidence, merged into him.
            let people = proposals.filter { $0["entity_type"] as? String == "person" }
            let kumar = try #require(people.first { payload($0)["primary_phone"] as? String == "+919876543210" })
            let candidates = try #require(kumar["merge_candidate_refs"] as? [[String: Any]])
            #expect(candidates.first?["id"] as? String == rajeshID)
            let evidence = candidates.first?["evidence"] as? [[String: Any]]
            #expect(evidence?.contains { $0["rule"] as? String == "exact_phone" } == true)
            // The existing record rides beside its candidate, for the review screen.
            let existing = try #require(candidates.first?["record"] as? [String: Any])
            #expect(existing["id"] as? String == rajeshID)
            #expect(existing["primary_phone"] as? String == "+919876543210")
            #expect(existing["tenant_id"] == nil)
            let anita = try #require(people.first { payload($0)["primary_email"] as? String == "anita.desai@gmail.com" })
            #expect((anita["merge_candidate_refs"] as? [Any])?.isEmpty == true)
            var anitaPayload = payload(anita)
            anitaPayload["full_name"] = "Anita Desai-Rao"
            let edit = String(
                decoding: try JSONSerialization.data(withJSONObject: [
                    "decisions": [
                        ["proposal_id": kumar["id"]!, "decision": "merge", "merge_target": rajeshID, "notes": "same mobile"],
                        ["proposal_id": anita["id"]!, "decision": "edit", "canonical_payload": anitaPayload],
                    ],
                    "bulk": [["decision": "approve", "where": ["entity_type": "lead"]]],
                ]),
                as: UTF8.self)
            let reviewed = try await S.review(client, fixture.operatorKey, id, edit)
            #expect(reviewed.status == .ok)
            #expect(reviewed.body.json["decided"] as? Int == 2)
            let peopleBefore = try await S.count(fixture, "SELECT count(*) FROM crm_people WHERE tenant_id = 'acme'")
            try await commit(client, fixture, id)

            // One person more (Anita, as edited); Rajesh gained the new e-mail, recorded before and after.
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_people WHERE tenant_id = 'acme'") == peopleBefore + 1)
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_people WHERE full_name = 'Anita Desai-Rao'") == 1)
            let emails =
                try await fixture.gateway.postgres.withConnection {
                    try await $0.query("SELECT array_to_string(emails, ',') FROM crm_people WHERE id = $1::uuid", [rajeshID])
                }.rows.first?.first ?? nil
            #expect(emails == "rajesh.kumar@gmail.com,rajesh.k@work.in")
            let delta = try await fixture.gateway.postgres.withConnection {
                try await $0.query(
                    """
                    SELECT operation, changes->'emails'->>'before', changes->'emails'->>'after' FROM crm_graph_deltas
                    WHERE batch_id = $1::uuid AND entity_id = $2::uuid
                    """, [id, rajeshID])
            }.rows.first
            #expect(delta?[0] == "update")
            #expect(delta?[1] == #"["rajesh.kumar@gmail.com"]"#)
            #expect(delta?[2] == #"["rajesh.kumar@gmail.com", "rajesh.k@work.in"]"#)
            let decisions = try await fixture.gateway.postgres.withConnection {
                try await $0.query(
                    "SELECT decision, notes FROM crm_import_decisions WHERE proposal_id = $1::uuid", [kumar["id"] as? String])
            }.rows
            #expect(decisions.count == 1)
            #expect(decisions.first?[0] == "merge")
            #expect(decisions.first?[1] == "same mobile")
            // The counts kept by trigger agree with counting the proposals.
            let counted = try await fixture.gateway.postgres.withConnection {
                try await $0.query(
                    "SELECT status, count(*) FROM crm_import_proposals WHERE batch_id = $1::uuid GROUP BY 1", [id])
            }.rows
            let shown = try #require(try await S.get(client, fixture.acme, id)["proposal_counts"] as? [String: Int])
            var total = 0
            for row in counted {
                let n = Int(row[1] ?? "") ?? -1
                total += n
                #expect(shown[row[0] ?? ""] == n)
            }
            let shownTotal = shown.values.reduce(0, +)
            #expect(shownTotal == total)
            // Interests and their accounts were left undecided: nothing of them reached the tables.
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_property_interests WHERE tenant_id = 'acme'") == 0)
        }
    }

    @Test("two proposals merged into one person in the same chunk are both committed, one after the other")
    func twoMergesIntoOnePerson() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let rajeshID = try await rajeshInTheCRM(client, fixture)

            // Two rows the reviewer knows are Rajesh (a work address, an old number): separate
            // proposals; a new person after them, committed in the same chunk as the first merge.
            let sheet = Array(
                """
                Name,Mobile,Email,City
                Rajesh K,98111 22333,rajesh.k@work.in,Mumbai
                R Kumar,98444 55666,rk.old@yahoo.in,Mumbai
                Anita Desai,98200 11223,anita.desai@gmail.com,Pune

                """.utf8)
            let id = try #require(
                try await S.upload(client, token: fixture.acme, file: sheet, filename: "two.csv").body.json["id"]
                    as? String)
            try await S.run(.ingest, id, fixture)
            let people = S.proposals(try await S.get(client, fixture.acme, id, query: "?entity_type=person"))
            #expect(people.count == 3)
            let decisions = people.map { proposal -> [String: Any] in
                (proposal["canonical_payload"] as? [String: Any])?["city"] as? String == "Pune"
                    ? ["proposal_id": proposal["id"]!, "decision": "approve"]
                    : ["proposal_id": proposal["id"]!, "decision": "merge", "merge_target": rajeshID]
            }
            let body = String(
                decoding: try JSONSerialization.data(withJSONObject: ["decisions": decisions]), as: UTF8.self)
            #expect(try await S.review(client, fixture.operatorKey, id, body).status == .ok)
            try await commit(client, fixture, id)

            // One statement updates a record once, so the second waited for the next chunk; neither was left behind.
            #expect(
                try await S.count(
                    fixture,
                    "SELECT count(*) FROM crm_import_proposals WHERE batch_id = $1::uuid AND entity_type = 'person' AND status = 'committed'",
                    [id]) == 3)
            let emails =
                try await fixture.gateway.postgres.withConnection {
                    try await $0.query("SELECT array_to_string(emails, ',') FROM crm_people WHERE id = $1::uuid", [rajeshID])
                }.rows.first?.first ?? nil
            #expect(emails == "rajesh.kumar@gmail.com,rajesh.k@work.in,rk.old@yahoo.in")
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_people WHERE tenant_id = 'acme'") == 2)
        }
    }

    @Test("a new mapping for a batch in review drops its proposals and their counts, and the new ones are counted")
    func remapInReview() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let uploaded = try await S.upload(client, token: fixture.acme, file: try S.fixture("hubspot_contacts.csv"))
            let id = try #require(uploaded.body.json["id"] as? String)
            try await S.run(.ingest, id, fixture)
            let before = try #require(try await S.get(client, fixture.acme, id)["proposal_counts"] as? [String: Int])
            #expect((before["pending"] ?? 0) > 0)
            let remapped = try await S.review(
                client, fixture.operatorKey, id, #"{"mapping_edits":[{"column":"Company Name","field":null}]}"#)
            #expect(remapped.status == .ok)
            let dropped = try #require(try await S.get(client, fixture.acme, id)["proposal_counts"] as? [String: Int])
            #expect(dropped.values.allSatisfy { $0 == 0 })
            try await S.run(.propose, id, fixture)
            let after = try #require(try await S.get(client, fixture.acme, id)["proposal_counts"] as? [String: Int])
            let stored = try await S.count(fixture, "SELECT count(*) FROM crm_import_proposals WHERE batch_id = $1::uuid", [id])
            #expect(after["pending"] == stored)
            // Without the company column there are no account proposals: fewer than before.
            #expect(stored < before["pending"] ?? 0)
        }
    }

    private func payload(_ proposal: [String: Any]) -> [String: Any] {
        proposal["canonical_payload"] as? [String: Any] ?? [:]
    }

    /// `POST …/commit` as a reviewer, then the commit step run to its end.
    private func commit(_ client: some TestClientProtocol, _ fixture: GatewayFixture, _ id: String) async throws {
        let response = try await S.commit(client, fixture.operatorKey, id)
        #expect(response.status == .accepted)
        let batch = try await S.run(.commit, id, fixture)
        #expect(batch.status == .committed || batch.status == .inReview)
    }
}
