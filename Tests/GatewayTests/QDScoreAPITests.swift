import Broker
import Foundation
import Gateway
import HummingbirdTesting
import JobContracts
import NIOCore
import PlatformStore
import TestSupport
import Testing

/// `qd.score` at the gateway: a packet is checked by its contract at submit (no consent, no
/// job), and a person's QD history is read back tenant-scoped.
@Suite("QD score API")
struct QDScoreAPITests {
    static func packet(consent: Bool = true, value: String = "0.7", person: String = "p-1") -> String {
        #"""
        {"person_id":"\#(person)","lead_id":"l-1","session_id":"s-1","consent":\#(consent),
         "signals":[{"t_ms":0,"name":"smile_intensity","value":\#(value)},{"t_ms":400,"name":"brow_furrow","value":0.1}]}
        """#
    }

    /// A scored bundle, as the `qd.score` handler makes one, for `person`.
    static func bundle(value: Int, person: String = "p-1") -> QDSignalBundle {
        QDSignalBundle(
            metadata: ArtifactMetadata(
                artifact_id: JobID.make(), artifact_type: "QdSignalBundle", schema_version: "1",
                source_system: "velocity.qd.score", created_at: "2026-12-05T10:00:00Z", created_by: "test",
                confidence: 0.6, provenance: [:]),
            signal_id: JobID.make(), client_ref: "crm_people/\(person)", source_ref: "showroom_session/s-1",
            lead_ref: "crm_leads/l-1", score_type: "qd", value: value, confidence: 0.6,
            reasoning_summary: "smiled at the terrace", supporting_evidence_refs: ["/signals/0"],
            time_window: .init(start_ms: 0, end_ms: 0), scene_ref: nil)
    }

    /// Stores one score of acme's for `person`; returns its signal id.
    static func recordScore(_ fixture: GatewayFixture, person: String) async throws -> String {
        let bundle = bundle(value: 61, person: person)
        _ = try await QDScoreStore(postgres: fixture.gateway.postgres).record(
            bundle, jobID: JobID.make(), tenant: "acme", packet: try QDScore.payload(fromJSON: packet(person: person)))
        return bundle.signal_id
    }

    @Test(
        "a packet without consent, or with a bad reading, is a 422 naming the field, and nothing is stored",
        arguments: [
            (packet(consent: false), "payload.consent"),
            (packet(value: "1.5"), "payload.signals.0.value"),
            (packet(person: ""), "payload.person_id"),
            (#"{"person_id":"p","lead_id":"l","session_id":"s","consent":true,"signals":[]}"#, "payload.signals"),
        ])
    func refusals(payload: String, field: String) async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let response = try await client.execute(
                uri: "/v1/jobs", method: .post, headers: GatewayFixture.json(fixture.acme),
                body: ByteBuffer(string: #"{"kind":"qd.score","payload":\#(payload)}"#))
            #expect(response.status == .unprocessableContent)
            let error = try #require(response.body.json["error"] as? [String: Any])
            #expect((error["details"] as? [String: String])?["field"] == field)
            let stored = try await fixture.storedSomething()
            #expect(stored.rows == 0 && stored.redisJobs == 0)
        }
    }

    @Test("a person's QD history is newest first, paged, and another tenant sees none of it")
    func history() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let store = QDScoreStore(postgres: fixture.gateway.postgres)
            let packet = try QDScore.payload(fromJSON: Self.packet())
            var ids: [String] = []
            for value in [40, 55, 70] {
                let bundle = Self.bundle(value: value)
                let jobID = JobID.make()
                let stored = try await store.record(bundle, jobID: jobID, tenant: "acme", packet: packet)
                #expect(stored == bundle)
                // A retried attempt of the same job keeps the first row.
                var again = bundle
                again.signal_id = JobID.make()
                again.value = 99
                #expect(try await store.record(again, jobID: jobID, tenant: "acme", packet: packet) == bundle)
                ids.append(bundle.signal_id)
                try await Task.sleep(for: .milliseconds(5))
            }
            let first = try await client.execute(
                uri: "/api/crm/qd/p-1?limit=2", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(first.status == .ok)
            let page = first.body.json
            #expect((page["data"] as? [[String: Any]])?.map { $0["value"] as? Int } == [70, 55])
            #expect(page["has_more"] as? Bool == true)
            let cursor = try #require(page["next_cursor"] as? String)
            let second = try await client.execute(
                uri: "/api/crm/qd/p-1?limit=2&cursor=\(cursor)", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect((second.body.json["data"] as? [[String: Any]])?.map { $0["signal_id"] as? String } == [ids[0]])

            let other = try await client.execute(
                uri: "/api/crm/qd/p-1", method: .get, headers: GatewayFixture.auth(fixture.globex))
            #expect((other.body.json["data"] as? [Any])?.isEmpty == true)
            let badCursor = try await client.execute(
                uri: "/api/crm/qd/p-1?cursor=nope", method: .get, headers: GatewayFixture.auth(fixture.acme))
            #expect(badCursor.status == .unprocessableContent)
        }
    }
}
