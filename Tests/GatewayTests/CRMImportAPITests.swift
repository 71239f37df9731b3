import Broker
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JobContracts
import Logging
import NIOCore
import PlatformStore
import Testing
import VelocityTypes

@testable import Workers

/// CRM imports through the gateway against real Redis and PostgreSQL: upload, the steps run by
/// the processor, review, commit; every refusal stores nothing.
@Suite("CRM imports API")
struct CRMImportAPITests {
    typealias S = CRMImportSupport

    @Test("a HubSpot export goes from upload through the cpu queue to review, commit, people and leads")
    func hubspotEndToEnd() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let file = try S.fixture("hubspot_contacts.csv")
            let uploaded = try await S.upload(client, token: fixture.acme, file: file, filename: "hubspot.csv")
            #expect(uploaded.status == .accepted)
            let body = uploaded.body.json
            let id = try #require(body["id"] as? String)
            #expect(body["status"] as? String == "ingesting")
            #expect(body["source_system"] as? String == "hubspot")
            #expect((body["jobs"] as? [[String: Any]])?.count == 1)
            #expect((body["artifact"] as? [String: Any])?["artifact_type"] as? String == "RawImportBatch")

            // The cpu queue's worker, as `velocity dev` runs it.
            var router = JobRouter()
            router.register(try S.processor(fixture))
            let worker = QueueWorker(
                configuration: .init(queue: "cpu", workerID: "test-cpu", claimWait: .milliseconds(100)),
                broker: fixture.gateway.broker, handler: router, logger: Logger(label: "test.cpu"))
            let running = Task { try await worker.run() }
            defer { running.cancel() }
            var detail: [String: Any] = [:]
            for _ in 0..<300 {
                detail = try await S.get(client, fixture.acme, id)
                if detail["status"] as? String != "ingesting" && detail["status"] as? String != "proposing" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(detail["status"] as? String == "in_review")
            let rowCount = try #require(detail["row_count"] as? Int)
            #expect(detail["rows_read"] as? Int == rowCount)
            let manifest = try #require(detail["manifest"] as? [String: Any])
            #expect(manifest["is_resolved"] as? Bool == true)
            #expect((manifest["unmapped_columns"] as? [Any])?.isEmpty == true)
            #expect((manifest["artifact"] as? [String: Any])?["artifact_type"] as? String == "ImportMappingManifest")
            let proposals = try #require(detail["proposals"] as? Int)
            #expect(proposals > rowCount)  // people, accounts, leads and interests

            // The two rows of Rahul Sharma (phone written two ways, e-mail in capitals) are one person.
            let people = S.proposals(try await S.get(client, fixture.acme, id, query: "?entity_type=person&limit=500"))
            let rahul = people.filter {
                (($0["canonical_payload"] as? [String: Any])?["primary_phone"] as? String) == "+919876543210"
            }
            #expect(rahul.count == 1)
            #expect((rahul.first?["source_rows"] as? [Int])?.count == 2)
            #expect((rahul.first?["artifact"] as? [String: Any])?["artifact_type"] as? String == "NormalizedEntityProposal")

            // A submitter cannot review; the reviewer approves every clean proposal and commits.
            let forbidden = try await S.review(client, fixture.acme, id, #"{"bulk":[{"decision":"approve","where":{}}]}"#)
            #expect(forbidden.status == .forbidden)
            let reviewed = try await S.review(
                client, fixture.operatorKey, id,
                #"{"bulk":[{"decision":"approve","where":{"min_confidence":0.5,"has_merge_candidate":false}}]}"#)
            #expect(reviewed.status == .ok)
            let approved = try #require((reviewed.body.json["bulk_decided"] as? [Int])?.first)
            #expect(approved > 0)
            let commit = try await S.commit(client, fixture.operatorKey, id)
            #expect(commit.status == .accepted)
            for _ in 0..<300 {
                detail = try await S.get(client, fixture.acme, id)
                if detail["status"] as? String != "committing" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(["committed", "in_review"].contains(detail["status"] as? String))
            let committed = try #require(detail["committed"] as? Int)
            #expect(committed == approved - ((detail["proposal_counts"] as? [String: Int])?["skipped"] ?? 0))
            let tenantPeople = try await S.count(fixture, "SELECT count(*) FROM crm_people WHERE tenant_id = 'acme'")
            #expect(tenantPeople > 0)
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_leads WHERE tenant_id = 'acme'") > 0)
            #expect(
                try await S.count(fixture, "SELECT count(*) FROM crm_graph_deltas WHERE batch_id = $1::uuid", [id]) == committed)
            #expect(
                try await S.count(fixture, "SELECT count(*) FROM crm_import_decisions WHERE batch_id = $1::uuid", [id])
                    == approved)
            #expect(
                try await S.count(
                    fixture, "SELECT count(*) FROM crm_person_identities WHERE value = '+919876543210'") == 1)

            // The same file again is the same batch; nothing new is queued.
            let again = try await S.upload(client, token: fixture.acme, file: file, filename: "copy.csv")
            #expect(again.status == .ok)
            #expect(again.body.json["id"] as? String == id)
        }
    }

    @Test("an Idempotency-Key repeated with another file answers the first batch and keeps nothing of the second")
    func idempotencyKeyRepeat() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let key: HTTPFields = [HTTPField.Name("Idempotency-Key")!: "import-2026-12-07"]
            let first = try await S.upload(
                client, token: fixture.acme, file: try S.fixture("hubspot_contacts.csv"), headers: key)
            #expect(first.status == .accepted)
            let id = try #require(first.body.json["id"] as? String)
            let before = try await fixture.storedSomething()

            let repeated = try await S.upload(
                client, token: fixture.acme, file: try S.fixture("zoho_leads.csv"), filename: "zoho.csv", headers: key)
            #expect(repeated.status == .ok)
            #expect(repeated.body.json["id"] as? String == id)
            #expect(repeated.body.json["source_system"] as? String == "hubspot")
            let after = try await fixture.storedSomething()
            #expect(after.blobs == before.blobs)
            #expect(after.rows == before.rows)
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_import_batches") == 1)

            // Another key with the zoho file is a batch of its own.
            let other = try await S.upload(
                client, token: fixture.acme, file: try S.fixture("zoho_leads.csv"), filename: "zoho.csv",
                headers: [HTTPField.Name("Idempotency-Key")!: "import-2026-12-07-b"])
            #expect(other.status == .accepted)
            #expect(other.body.json["id"] as? String != id)
        }
    }

    @Test("a second commit, and a commit resumed after a crash, create nothing twice")
    func commitIsIdempotent() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try await S.approvedAndCommitting(client, fixture)
            let store = CRMImportStore(postgres: fixture.gateway.postgres)
            // Crash after the first chunk: the progress report after it throws.
            var processor = try S.processor(fixture)
            processor.commitChunk = 3
            let batch = try #require(try await store.batch(id: id))
            await #expect(throws: CancellationError.self) {
                _ = try await processor.run(.commit, batch, progress: { _, _, _ in throw CancellationError() })
            }
            let partial = try await S.count(fixture, "SELECT count(*) FROM crm_graph_deltas WHERE batch_id = $1::uuid", [id])
            #expect(partial == 3)
            try await S.run(.commit, id, fixture)
            let done = try await S.count(fixture, "SELECT count(*) FROM crm_graph_deltas WHERE batch_id = $1::uuid", [id])
            let people = try await S.count(fixture, "SELECT count(*) FROM crm_people")
            #expect(done == (try await store.batch(id: id))?.committed)
            // A second commit is refused (nothing approved is left) and writes nothing.
            let second = try await S.commit(client, fixture.operatorKey, id)
            #expect(second.status == .conflict)
            #expect(second.body.json["error"].flatMap { ($0 as? [String: Any])?["code"] as? String } == "batch_not_ready")
            #expect(try await S.count(fixture, "SELECT count(*) FROM crm_people") == people)
        }
    }

    @Test("the low-risk rule approves clean new people (a decision each) and leaves the rest for review")
    func lowRiskRule() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let uploaded = try await S.upload(
                client, token: fixture.acme, file: try S.fixture("homemade_leads.csv"),
                fields: [("auto_approve", "new_without_candidates")])
            let id = try #require(uploaded.body.json["id"] as? String)
            // Small chunks, so several are stored at once and the rule runs in each.
            var processor = try S.processor(fixture)
            processor.readBytes = 256
            processor.proposeChunkProposals = 5
            let store = CRMImportStore(postgres: fixture.gateway.postgres)
            let done = try await processor.run(.ingest, try #require(try await store.batch(id: id)), progress: { _, _, _ in })
            #expect(done.status == .inReview)
            let approved = try await S.count(
                fixture,
                """
                SELECT count(*) FROM crm_import_proposals
                WHERE batch_id = $1::uuid AND status = 'approved' AND NOT review_required
                """, [id])
            let pending = try await S.count(
                fixture, "SELECT count(*) FROM crm_import_proposals WHERE batch_id = $1::uuid AND status = 'pending'", [id])
            #expect(approved > 0 && pending > 0 && approved + pending == done.proposals)
            // Nothing with a candidate, conflict or issue, nor below 0.9, is approved by the rule.
            let unsafe = try await S.count(
                fixture,
                """
                SELECT count(*) FROM crm_import_proposals WHERE batch_id = $1::uuid AND status = 'approved'
                    AND (merge_candidates <> '[]' OR conflicts <> '[]' OR issues <> '[]' OR confidence < 0.9)
                """, [id])
            #expect(unsafe == 0)
            let decisions = try await S.count(
                fixture,
                """
                SELECT count(*) FROM crm_import_decisions
                WHERE batch_id = $1::uuid AND reviewer = 'rule:new_without_candidates' AND decision = 'approve'
                """, [id])
            #expect(decisions == approved)
            // The kept counts agree with the proposals.
            let counts = try await fixture.gateway.postgres.withConnection { connection in
                try await connection.query(
                    """
                    SELECT (SELECT n FROM crm_import_proposal_counts WHERE batch_id = $1::uuid AND status = 'approved')
                        AS approved,
                        (SELECT n FROM crm_import_proposal_counts WHERE batch_id = $1::uuid AND status = 'pending') AS pending
                    """, [id])
            }
            #expect(counts.rows.first == [String(approved), String(pending)])
        }
    }

    @Test("two commits of one batch running at once (a lease expired mid-commit) write each proposal once")
    func concurrentCommitsWriteOnce() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let id = try await S.approvedAndCommitting(client, fixture)
            let store = CRMImportStore(postgres: fixture.gateway.postgres)
            let approved = try await S.count(
                fixture, "SELECT count(*) FROM crm_import_proposals WHERE batch_id = $1::uuid AND status = 'approved'", [id])
            var processor = try S.processor(fixture)
            processor.commitChunk = 2
            let (batch, worker) = (try #require(try await store.batch(id: id)), processor)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    group.addTask { _ = try await worker.run(.commit, batch, progress: { _, _, _ in }) }
                }
                try await group.waitForAll()
            }
            let deltas = try await S.count(fixture, "SELECT count(*) FROM crm_graph_deltas WHERE batch_id = $1::uuid", [id])
            let committed = try await S.count(
                fixture, "SELECT count(*) FROM crm_import_proposals WHERE batch_id = $1::uuid AND status = 'committed'", [id])
            #expect(approved > 4 && committed == approved && deltas == approved)
            #expect(try await store.batch(id: id)?.committed == approved)
            let people = try await S.count(fixture, "SELECT count(*) FROM crm_people WHERE source_batch_id = $1::uuid", [id])
            let personProposals = try await S.count(
                fixture,
                """
                SELECT count(*) FROM crm_import_proposals
                WHERE batch_id = $1::uuid AND entity_type = 'person' AND merge_target IS NULL
                """, [id])
            #expect(people == personProposals)
        }
    }

    @Test("an ingest and a propose step stopped mid-way resume from their checkpoints and store each row once")
    func stepsResume() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let uploaded = try await S.upload(client, token: fixture.acme, file: try S.fixture("zoho_leads.csv"))
            let id = try #require(uploaded.body.json["id"] as? String)
            let store = CRMImportStore(postgres: fixture.gateway.postgres)
            var processor = try S.processor(fixture)
            processor.ingestChunkRows = 4
            processor.readBytes = 256
            processor.proposeChunkProposals = 5
            var batch = try #require(try await store.batch(id: id))
            await #expect(throws: CancellationError.self) {
                _ = try await processor.run(.ingest, batch, progress: { _, _, _ in throw CancellationError() })
            }
            batch = try #require(try await store.batch(id: id))
            #expect(batch.status == .ingesting)
            #expect(batch.rowsRead == 4)
            #expect(batch.ingestOffset > 0)
            // The next attempt finishes the ingest, then proposes and stops after the first chunk.
            await #expect(throws: CancellationError.self) {
                _ = try await processor.run(
                    .ingest, batch,
                    progress: { message, _, _ in
                        if message.hasPrefix("propose:") && !message.contains(" 0 of") { throw CancellationError() }
                    })
            }
            batch = try #require(try await store.batch(id: id))
            #expect(batch.rowsRead == batch.rowCount)
            #expect(batch.status == .proposing)
            #expect(batch.proposeRows > 0 && batch.proposeRows < batch.rowCount)
            let rows = try await S.count(
                fixture, "SELECT count(DISTINCT row_number) FROM crm_import_rows WHERE batch_id = $1::uuid", [id])
            #expect(rows == batch.rowCount)
            let done = try await processor.run(.propose, batch, progress: { _, _, _ in })
            #expect(done.status == .inReview)
            // The same proposals as a run that never stopped.
            let clean = try await S.upload(
                client, token: fixture.globex, file: try S.fixture("zoho_leads.csv"), filename: "again.csv")
            let cleanID = try #require(clean.body.json["id"] as? String)
            let uninterrupted = try await S.run(.ingest, cleanID, fixture)
            #expect(uninterrupted.proposals == done.proposals)
            #expect(
                try await S.count(fixture, "SELECT count(*) FROM crm_import_proposals WHERE batch_id = $1::uuid", [id])
                    == done.proposals)
        }
    }
}
