import Foundation
import GPUBox
import Gateway
import HummingbirdTesting
import TestSupport
import Testing

/// An unfinished batch says why its lines wait, in a field OpenAI's clients ignore.
@Suite("Batches: the waiting reason")
struct BatchWaitingReasonTests {
    typealias S = BatchTestSupport

    @Test("no box, then a box in media mode, explain the wait; a box serving llm ends it; OpenAI's keys stay")
    func waitingReason() async throws {
        try await GatewayFixture.withGateway { fixture, client in
            let fileID = try await S.upload(S.jsonl(count: 2), token: fixture.acme, client: client)
            let created = try await S.createBatch(fileID: fileID, token: fixture.acme, client: client)
            #expect(Set(created.keys) == BatchAPITests.batchKeys)
            let id = try #require(created["id"] as? String)
            func read() async throws -> [String: Any] {
                try await client.execute(uri: "/v1/batches/\(id)", method: .get, headers: GatewayFixture.auth(fixture.acme)).body
                    .json
            }
            func listed() async throws -> [String: Any]? {
                let list = try await client.execute(uri: "/v1/batches", method: .get, headers: GatewayFixture.auth(fixture.acme))
                return (list.body.json["data"] as? [[String: Any]])?.first { $0["id"] as? String == id }
            }
            #expect(try await read()["waiting_reason"] as? String == "waiting: no GPU box has reported")
            try await BoxAPITests.publish(fixture.gateway, box: "dev-box", mode: .media)
            let reason = "waiting: no llm capacity, box dev-box in media mode"
            #expect(try await read()["waiting_reason"] as? String == reason)
            #expect(try await listed()?["waiting_reason"] as? String == reason)
            try await BoxAPITests.publish(fixture.gateway, box: "dev-box", mode: .split)
            let served = try await read()
            #expect(served["waiting_reason"] == nil)
            // An unfinished batch also shows its lines by state, as the broker counts them, and its
            // window's risk while it runs.
            #expect(Set(served.keys).subtracting(["line_counts", "window"]) == BatchAPITests.batchKeys)
            if let lines = served["line_counts"] as? [String: Int] {
                #expect(lines.values.reduce(0, +) <= 2)
                #expect(Set(lines.keys) == ["queued", "running", "succeeded", "failed", "canceled", "dead"])
            }
        }
    }
}
