import Broker
import Foundation
import TestSupport
import Testing

extension BrokerConformanceTests {
    @Test(
        "reprioritize moves waiting backfill ahead of older normal jobs, keeps running and ended ones, refuses bad input",
        arguments: BrokerFixture.allCases)
    func reprioritize(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            // A backfill line, then normal work, then a line scheduled for later; one more runs.
            let running = submission(priority: -500)
            _ = try await broker.enqueue([running])
            let claimed = try await broker.claimOne()
            #expect(claimed.id == running.id)
            let backfill = submission(priority: -500)
            let normal = (0..<3).map { _ in submission(priority: 0) }
            let later = submission(priority: -500, delay: 60_000)
            let ended = submission(priority: -500)
            _ = try await broker.enqueue([backfill] + normal + [later, ended])
            #expect(try await broker.cancel(queue: "q", jobID: ended.id) == .canceled)

            // The ready jobs by priority: what a mode advice tells apart as backfill.
            var share = try await broker.fairShare(queue: "q")
            #expect(share.queuedByPriority == [-500: 1, 0: 3])
            #expect(share.backfill == 1)
            let ids = [backfill.id, later.id, running.id, ended.id, JobID.make()]
            #expect(try await broker.reprioritize(queue: "q", ids: ids, priority: 100) == 3)
            // Again: nothing left to change.
            #expect(try await broker.reprioritize(queue: "q", ids: ids, priority: 100) == 0)
            #expect(try await broker.job(queue: "q", id: backfill.id)?.priority == 100)
            share = try await broker.fairShare(queue: "q")
            #expect(share.queuedByPriority == [100: 1, 0: 3] && share.backfill == 0)
            #expect(try await broker.job(queue: "q", id: later.id)?.priority == 100)
            #expect(try await broker.job(queue: "q", id: running.id)?.priority == 100)
            #expect(try await broker.job(queue: "q", id: ended.id)?.priority == -500)
            #expect(try await broker.job(queue: "q", id: ended.id)?.state == .canceled)
            // The promoted line now runs before the normal jobs queued ahead of it.
            var order: [String] = []
            for _ in 0..<4 { order.append(try await broker.claimOne().id) }
            #expect(order.first == backfill.id)
            #expect(Set(order.dropFirst()) == Set(normal.map(\.id)))
            let depth = try await broker.depth(queue: "q")
            #expect(depth.queued == 0 && depth.scheduled == 1)  // the scheduled one waits with its new priority

            // Refused before anything changes.
            await #expect { try await broker.reprioritize(queue: "q", ids: [later.id], priority: 5_000) } throws: {
                ($0 as? BrokerError)?.field == "priority"
            }
            await #expect { try await broker.reprioritize(queue: "q", ids: [later.id, "not-a-job"], priority: 1) } throws: {
                ($0 as? BrokerError)?.field == "id"
            }
            #expect(try await broker.job(queue: "q", id: later.id)?.priority == 100)
        }
    }
}
