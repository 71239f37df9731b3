import Broker
import Foundation
import TestSupport
import Testing

/// A claim that prefers affinities (a GPU lane's loaded models), against each broker of
/// `BrokerFixture`: what it takes, when it stops preferring, and what it never overrides.
@Suite("Broker claim preference")
struct ClaimPreferenceTests {
    static let patient = Duration.seconds(600)

    @Test(
        "a preferring claim takes the oldest job it holds the affinity of, or one needing none", arguments: BrokerFixture.allCases
    )
    func takesWhatItHolds(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let jobs = [job("x"), job("y"), job("x"), job(nil), job("y")]
            _ = try await broker.enqueue(jobs)
            let holdsY = ClaimPreference(affinities: ["y"], passOver: Self.patient)
            #expect(try await claim(broker, holdsY)?.id == jobs[1].id)
            // The oldest left (x) is passed over for the one needing nothing, then for y again.
            #expect(try await claim(broker, holdsY)?.id == jobs[3].id)
            #expect(try await claim(broker, holdsY)?.id == jobs[4].id)
            // A claim without a preference takes the queue's order.
            #expect(try await broker.claimOne().id == jobs[0].id)
            // Holding several: the first of the window that matches any.
            let holdsBoth = ClaimPreference(affinities: ["z", "x"], passOver: Self.patient)
            #expect(try await claim(broker, holdsBoth)?.id == jobs[2].id)
            #expect(try await claim(broker, holdsBoth) == nil)
        }
    }

    @Test(
        "a job is never overtaken by one accepted the pass-over time or more after it", arguments: BrokerFixture.allCases)
    func agingWins(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            var old = job("x")
            old.createdMilliseconds = Int(Date().timeIntervalSince1970 * 1000) - 120_000
            let fresh = job("y")
            _ = try await broker.enqueue([old, fresh])
            let holdsY = ClaimPreference(affinities: ["y"], passOver: .seconds(60))
            #expect(try await claim(broker, holdsY)?.id == old.id)
            #expect(try await claim(broker, holdsY)?.id == fresh.id)
            // Accepted 30 s after the oldest, within a 60 s pass-over: taken ahead of it.
            var older = job("x")
            older.createdMilliseconds = Int(Date().timeIntervalSince1970 * 1000) - 30_000
            let younger = job("y")
            _ = try await broker.enqueue([older, younger])
            #expect(try await claim(broker, holdsY)?.id == younger.id)
            #expect(try await claim(broker, holdsY)?.id == older.id)
            // A pass-over of zero is no preference at all.
            let next = [job("x"), job("y")]
            _ = try await broker.enqueue(next)
            #expect(try await claim(broker, ClaimPreference(affinities: ["y"], passOver: .zero))?.id == next[0].id)
        }
    }

    @Test("beyond the window, or with nothing it holds queued, the oldest is taken", arguments: BrokerFixture.allCases)
    func windowBounds(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let xs = (0..<ClaimPreference.window).map { _ in job("x") }
            let y = job("y")
            _ = try await broker.enqueue(xs + [y])
            let holdsY = ClaimPreference(affinities: ["y"], passOver: Self.patient)
            #expect(try await claim(broker, holdsY)?.id == xs[0].id)
            // Now y is within the window.
            #expect(try await claim(broker, holdsY)?.id == y.id)
        }
    }

    @Test(
        "priority and fair share decide whose turn it is; the preference only picks within it", arguments: BrokerFixture.allCases)
    func turnsComeFirst(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let urgent = job("x", priority: 10)
            let a = [job("x", tenant: "a"), job("y", tenant: "a")]
            let b = [job("y", tenant: "b")]
            _ = try await broker.enqueue(a + b + [urgent])
            let holdsY = ClaimPreference(affinities: ["y"], passOver: Self.patient)
            #expect(try await claim(broker, holdsY)?.id == urgent.id)
            // Tenant a's turn (ties go by name): its y job, not b's.
            #expect(try await claim(broker, holdsY)?.id == a[1].id)
            #expect(try await claim(broker, holdsY)?.id == b[0].id)
            // Batched claims keep the queue's order.
            #expect(try await broker.claim(max: 5).map(\.id) == [a[0].id])
        }
    }

    @Test("an affinity that is empty, too long or holds a line break is refused and nothing is stored")
    func refusals() async throws {
        try await BrokerFixture.redis.with { (broker: RedisBroker) async throws in
            for bad in ["", String(repeating: "m", count: 129), "a\nb"] {
                let refused = job(bad)
                let error = await #expect(throws: BrokerError.self) { _ = try await broker.enqueue([refused]) }
                #expect(error?.code == .invalidJob)
                #expect(error?.field == "affinity")
                #expect(try await broker.job(queue: "q", id: refused.id) == nil)
            }
        }
    }

    private func job(_ affinity: String?, priority: Int = 0, tenant: String = "acme") -> JobSubmission {
        var job = submission(priority: priority, tenant: tenant)
        job.affinity = affinity
        return job
    }

    private func claim(_ broker: RedisBroker, _ prefer: ClaimPreference) async throws -> ClaimedJob? {
        let consumer = try await broker.makeConsumer(queue: "q", workerID: "gpu0")
        defer { Task { await consumer.close() } }
        return try await consumer.claim(maxJobs: 1, wait: .zero, prefer: prefer).first
    }
}
