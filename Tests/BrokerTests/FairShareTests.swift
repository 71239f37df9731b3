import Broker
import Foundation
import TestSupport
import Testing

/// Fair share between tenants, concurrency caps and rate limits (`QueueLimits`), against each
/// broker of `BrokerFixture`. No timing thresholds: times come from the scripts' own clock.
@Suite("Broker fair share and limits")
struct FairShareTests {
    @Test(
        "a tenant's one job goes next behind 10,000 of another tenant's of the same priority", arguments: BrokerFixture.allCases)
    func newcomerRunsNext(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            _ = try await broker.enqueue((0..<10_000).map { _ in submission(tenant: "heavy") })
            #expect(try await broker.claim(max: 3).map(\.tenant) == ["heavy", "heavy", "heavy"])
            let light = submission(tenant: "light")
            _ = try await broker.enqueue([light])
            #expect(try await broker.job(queue: "q", id: light.id)?.queuePosition == 0)
            #expect(try await broker.claimOne().id == light.id)
            // Batched claims stay fair: the newcomer is in the first batch, not behind it.
            let again = submission(tenant: "light")
            _ = try await broker.enqueue([again])
            let batch = try await broker.claim(max: 10)
            #expect(batch.count == 10)
            #expect(batch.map(\.id).contains(again.id))
            #expect(try await broker.fairShare(queue: "q").queuedByTenant == ["heavy": 10_000 - 3 - 9])
        }
    }

    @Test("two backlogged tenants weighted 2:1 get 2:1 of 3,000 claims", arguments: BrokerFixture.allCases)
    func weightedShares(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            try await broker.setLimits(queue: "q", QueueLimits(weights: ["gold": 2]))
            _ = try await broker.enqueue((0..<2_500).map { _ in submission(tenant: "gold") })
            _ = try await broker.enqueue((0..<1_500).map { _ in submission(tenant: "bronze") })
            var counts: [String: Int] = [:]
            for _ in 0..<300 {
                for job in try await broker.claim(max: 10) { counts[job.tenant, default: 0] += 1 }
            }
            #expect(counts.values.reduce(0, +) == 3_000)
            let gold = Double(counts["gold"] ?? 0)
            #expect(abs(gold / 3_000 - 2.0 / 3.0) <= 0.05 * 2.0 / 3.0, "gold got \(gold) of 3000")
        }
    }

    @Test("priority still wins across bands; within a band tenants alternate", arguments: BrokerFixture.allCases)
    func bandsThenTenants(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            _ = try await broker.enqueue((0..<4).map { _ in submission(tenant: "a") })
            _ = try await broker.enqueue((0..<4).map { _ in submission(tenant: "b") })
            let urgent = submission(priority: 10, tenant: "a")
            _ = try await broker.enqueue([urgent])
            let order = try await broker.claim(max: 9)
            #expect(order.first?.id == urgent.id)
            #expect(order.dropFirst().map(\.tenant) == ["a", "b", "a", "b", "a", "b", "a", "b"])
        }
    }

    @Test(
        "queue position counts what the fair scheduler runs first, and moves as jobs ahead start",
        arguments: BrokerFixture.allCases)
    func fairPositions(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            _ = try await broker.enqueue((0..<10).map { _ in submission(tenant: "acme") })
            let beta = (0..<5).map { _ in submission(tenant: "beta") }
            _ = try await broker.enqueue(beta)
            // acme, beta, acme, beta, acme, beta: beta's third job has five before it.
            #expect(try await broker.job(queue: "q", id: beta[2].id)?.queuePosition == 5)
            let first = try await broker.claim(max: 2)
            #expect(first.map(\.tenant) == ["acme", "beta"])
            #expect(try await broker.job(queue: "q", id: beta[2].id)?.queuePosition == 3)
            let urgent = submission(priority: 5, tenant: "gamma")
            _ = try await broker.enqueue([urgent])
            #expect(try await broker.job(queue: "q", id: beta[2].id)?.queuePosition == 4)
            #expect(try await broker.job(queue: "q", id: urgent.id)?.queuePosition == 0)
            let later = submission(delay: 60_000, tenant: "beta")
            _ = try await broker.enqueue([later])
            let scheduled = try #require(try await broker.job(queue: "q", id: later.id))
            #expect(scheduled.queuePosition == nil)
            #expect(scheduled.waitingReason?.hasPrefix("waiting: scheduled, due in ") == true)
        }
    }

    @Test(
        "ETAs come from the queue's run times, rate and the jobs ahead, and move as predicted", arguments: BrokerFixture.allCases)
    func etaFollowsTheQueue(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let jobs = (0..<6).map { _ in submission(tenant: "acme") }
            _ = try await broker.enqueue(jobs)
            #expect(try await broker.job(queue: "q", id: jobs[5].id)?.eta == nil, "no run time known yet")
            let running = try await broker.claimOne()
            try await Task.sleep(for: .milliseconds(200))
            try await broker.complete(running.lease, result: nil)
            let held = try await broker.claimOne()  // one running: one lane
            let before = try #require(try await broker.job(queue: "q", id: jobs[5].id))
            #expect(before.queuePosition == 3)
            let eta = try #require(before.eta)
            // Three runs of about 200 ms ahead on one lane, then its own: about 800 ms.
            #expect(eta.p50Milliseconds >= 4 * 200 && eta.p50Milliseconds <= eta.p90Milliseconds)
            try await broker.complete(held.lease, result: nil)
            let next = try await broker.claimOne()
            let after = try #require(try await broker.job(queue: "q", id: jobs[5].id))
            #expect(after.queuePosition == 2)
            // As predicted from what the queue measured: its run times, its running jobs and, once
            // two acks are 200 ms or more apart, its completion rate.
            let base = broker.keys("q").base
            func numbers(_ reply: RESPValue) -> [Int] {
                guard case .array(let items) = reply else { return [] }
                return items.compactMap { $0.string.flatMap { Int($0) } }
            }
            let kindRuns = numbers(try await broker.send(RedisCommand("LRANGE", [base + "durations:test.job", "0", "-1"])))
            let queueRuns = numbers(try await broker.send(RedisCommand("LRANGE", [base + "durations", "0", "-1"])))
            #expect(kindRuns.count == 2 && queueRuns == kindRuns)
            guard case .array(let rate) = try await broker.send(RedisCommand("HMGET", [base + "meta", "rate", "rate_at"])),
                case .array(let time) = try await broker.send(RedisCommand("TIME"))
            else { throw BrokerError(.malformedReply, "HMGET or TIME") }
            let now = Int(time[0].string ?? "0")! * 1000 + Int(time[1].string ?? "0")! / 1000
            let fresh = rate[1].string.flatMap { Int($0) }.map { now - $0 <= 5_000 } ?? false
            let expected = JobETA.estimate(
                position: 2, running: 1, kindRuns: kindRuns, queueRuns: queueRuns,
                throughput: fresh ? rate[0].string.flatMap { Double($0) } : nil)
            #expect(after.eta == expected)
            try await broker.complete(next.lease, result: nil)
        }
    }

    @Test(
        "the completion rate's window closes after 200 ms, or sooner once it holds 1,000 completions",
        arguments: BrokerFixture.allCases)
    func rateWindowOfCompletions(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let meta = broker.keys("q").base + "meta"
            func window() async throws -> (rate: Double?, at: Int?) {
                guard case .array(let values) = try await broker.send(RedisCommand("HMGET", [meta, "rate", "rate_at"]))
                else { throw BrokerError(.malformedReply, "HMGET") }
                return (values[0].string.flatMap { Double($0) }, values[1].string.flatMap { Int($0) })
            }
            _ = try await broker.enqueue((0..<1_200).map { _ in submission(tenant: "acme") })
            try await broker.complete(try await broker.claimOne().lease, result: nil)
            let first = try await window()
            #expect(first.rate == nil, "one ack opens the first window")
            let opened = try #require(first.at)
            // 999 more, acked together at least 20 ms later: too few to close the window early.
            let some = try await broker.claim(max: 999)
            try await Task.sleep(for: .milliseconds(25))
            let early = try await broker.complete(some.map { JobCompletion(lease: $0.lease) })
            #expect(early.allSatisfy { $0 == nil })
            let open = try await window()
            if try #require(open.at) == opened {
                #expect(open.rate == nil, "999 completions in under 200 ms keep the window open")
                // The 1,000th closes it, however soon.
                try await broker.complete(try await broker.claimOne().lease, result: nil)
                let closed = try await window()
                #expect(try #require(closed.at) > opened)
                let rate = try #require(closed.rate, "1,000 completions close the window")
                #expect(rate > 0)
            }  // else a slow machine took 200 ms: the window closed on time, which the rule allows.
        }
    }

    @Test("a tenant cap of 2 never has 3 running, also when workers die mid-job", arguments: BrokerFixture.allCases)
    func tenantCapHoldsThroughCrashes(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            try await broker.setLimits(queue: "q", QueueLimits(caps: ["tenant:*": 2]))
            let jobs = (0..<12).map { _ in submission(lease: 1_000, maxAttempts: 20, tenant: "acme") }
            _ = try await broker.enqueue(jobs)
            let other = submission(tenant: "beta")
            _ = try await broker.enqueue([other])
            let first = try await broker.claim(max: 10)
            #expect(first.filter { $0.tenant == "acme" }.count == 2)
            #expect(first.contains { $0.id == other.id }, "another tenant is not held up by acme's cap")
            let waiting = try #require(try await broker.job(queue: "q", id: jobs[5].id))
            #expect(waiting.waitingReason == "waiting: concurrency cap tenant:acme (2 of 2 running)")
            #expect(waiting.eta == nil)
            var done = 0
            var round = 0
            var killed: Set<String> = []
            var seen: Set<String> = []
            while done < jobs.count, round < 1_000 {
                round += 1
                let claimed = try await broker.claim(max: 10)
                let running = try await broker.states(queue: "q", ids: jobs.map(\.id)).filter {
                    $0 == .starting || $0 == .processing
                }
                #expect(running.count <= 2, "round \(round): \(running.count) running")
                for job in claimed {
                    // Every other job's first worker dies: its slot comes back only with its lease.
                    if killed.count < 6, !killed.contains(job.id), (seen.count + killed.count) % 2 == 0 {
                        killed.insert(job.id)
                        continue
                    }
                    seen.insert(job.id)
                    try await broker.complete(job.lease, result: nil)
                    done += 1
                }
                if claimed.isEmpty {
                    _ = try await broker.recoverExpiredLeases(queue: "q")
                    try await Task.sleep(for: .milliseconds(100))
                }
                done = try await broker.states(queue: "q", ids: jobs.map(\.id)).filter { $0 == .succeeded }.count
            }
            let states = try await broker.states(queue: "q", ids: jobs.map(\.id))
            let share = try await broker.fairShare(queue: "q")
            #expect(done == jobs.count, "\(states) \(share)")
            #expect(killed.count == 6)
            #expect(try await broker.fairShare(queue: "q").running["tenant:acme"] == nil)
        }
    }

    @Test("a key cap parks one lead's second job while other leads' jobs run", arguments: BrokerFixture.allCases)
    func keyCapParksJobs(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            try await broker.setLimits(queue: "q", QueueLimits(caps: ["key:lead:*": 1, "kind:report": 1]))
            var lead1 = (0..<3).map { _ in submission(tenant: "acme") }
            for index in lead1.indices { lead1[index].concurrencyKey = "lead:1" }
            var lead2 = submission(tenant: "acme")
            lead2.concurrencyKey = "lead:2"
            _ = try await broker.enqueue(lead1 + [lead2])
            let first = try await broker.claim(max: 10)
            #expect(Set(first.map(\.id)) == [lead1[0].id, lead2.id])
            let parked = try #require(try await broker.job(queue: "q", id: lead1[1].id))
            #expect(parked.state == .queued)
            #expect(parked.waitingReason == "waiting: concurrency cap key:lead:1 (1 of 1 running)")
            #expect(try await broker.fairShare(queue: "q").parked == ["key:lead:1": 2])
            #expect(try await broker.depth(queue: "q").queued == 2, "parked jobs still count as queued")
            // A parked job can be canceled; the other comes back when the slot frees.
            #expect(try await broker.cancel(queue: "q", jobID: lead1[2].id) == .canceled)
            try await broker.complete(first.first { $0.id == lead1[0].id }!.lease, result: nil)
            #expect(try await broker.claim(max: 10).map(\.id) == [lead1[1].id])
            #expect(try await broker.fairShare(queue: "q").parked.isEmpty)
            #expect(try await broker.fairShare(queue: "q").throttledTotal >= 2)
        }
    }

    @Test("a rate of 10 per second never starts 11 in any second, by the scripts' clock", arguments: BrokerFixture.allCases)
    func rateLimitHolds(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let rate = QueueLimits.RateLimit(count: 10, intervalMilliseconds: 1_000)
            let slow = QueueLimits.RateLimit(count: 1, intervalMilliseconds: 600_000)
            try await broker.setLimits(queue: "q", QueueLimits(rates: ["tenant:acme": rate, "kind:report": slow]))
            let jobs = (0..<35).map { _ in submission(tenant: "acme") }
            _ = try await broker.enqueue(jobs)
            // A kind with one start per ten minutes: its second job waits parked, and says so.
            let reports = (0..<2).map { _ in submission(kind: "report", tenant: "beta") }
            _ = try await broker.enqueue(reports)
            let consumer = try await broker.makeConsumer(queue: "q", workerID: "w")
            let first = try await consumer.claim(maxJobs: 20, wait: .seconds(3))
            #expect(first.filter { $0.tenant == "acme" }.count == 10, "the first claim fills acme's window")
            #expect(first.filter { $0.kind == "report" }.map(\.id) == [reports[0].id])
            let reason = try await broker.job(queue: "q", id: reports[1].id)?.waitingReason
            var starts = first.filter { $0.tenant == "acme" }.map(\.claimedMilliseconds)
            for job in first { try await broker.complete(job.lease, result: nil) }
            while starts.count < jobs.count {
                let claimed = try await consumer.claim(maxJobs: 8, wait: .seconds(3))
                #expect(!claimed.contains { $0.id == reports[1].id })
                starts += claimed.filter { $0.tenant == "acme" }.map(\.claimedMilliseconds)
                for job in claimed { try await broker.complete(job.lease, result: nil) }
            }
            await consumer.close()
            starts.sort()
            for (index, start) in starts.enumerated() {
                let inWindow = starts[index...].prefix { $0 < start + 1_000 }.count
                #expect(inWindow <= 10, "\(inWindow) starts in the second from \(start)")
            }
            #expect(
                reason?.hasPrefix("waiting: rate limit kind:report, next slot in ") == true && reason?.hasSuffix(" s") == true,
                "a throttled job says what it waits for: \(String(describing: reason))")
        }
    }

    @Test(
        "with fair share off jobs run by priority and age alone, tenant caps still hold; turning it on moves the waiting jobs",
        arguments: BrokerFixture.allCases)
    func fairShareOff(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            _ = try await broker.enqueue((0..<4).map { _ in submission(tenant: "heavy") })
            let light = submission(tenant: "light")
            _ = try await broker.enqueue([light])
            try await broker.setLimits(queue: "q", QueueLimits(fair: false))
            #expect(try await broker.limits(queue: "q").fair == false)
            #expect(try await broker.job(queue: "q", id: light.id)?.queuePosition == 4)
            #expect(try await broker.claim(max: 2).map(\.tenant) == ["heavy", "heavy"])
            // Back on, both rejoin level (ties go by name): they alternate again.
            try await broker.setLimits(queue: "q", QueueLimits())
            #expect(try await broker.job(queue: "q", id: light.id)?.queuePosition == 1)
            #expect(try await broker.claim(max: 3).map(\.tenant) == ["heavy", "light", "heavy"])

            try await broker.setLimits(queue: "q", QueueLimits(caps: ["tenant:*": 1], fair: false))
            _ = try await broker.enqueue((0..<3).map { _ in submission(tenant: "heavy") })
            _ = try await broker.enqueue([submission(tenant: "light")])
            #expect(try await broker.claim(max: 10).map(\.tenant) == ["heavy", "light"])
            #expect(try await broker.fairShare(queue: "q").parked == ["tenant:heavy": 2])
        }
    }

    @Test(
        "jobs an older broker left in its ready index join the rotations at the next lease recovery",
        arguments: BrokerFixture.allCases)
    func adoptsTheLegacyReadyIndex(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission(tenant: "acme")
            _ = try await broker.enqueue([job])
            // What a broker before fair share wrote: the id in `ready`, no rotation.
            let keys = broker.keys("q")
            for command in [
                RedisCommand("DEL", [keys.base + "rt:0:acme", keys.base + "band:0", keys.base + "bands"]),
                RedisCommand("ZADD", [keys.ready, "1", job.id]),
            ] {
                _ = try await broker.send(command)
            }
            #expect(try await broker.claim(max: 1).isEmpty)
            _ = try await broker.recoverExpiredLeases(queue: "q")
            #expect(try await broker.claim(max: 1).map(\.id) == [job.id])
            #expect(try await broker.send(RedisCommand("EXISTS", [keys.ready])) == .integer(0))
        }
    }

    @Test("limits the scripts could not apply are refused and change nothing", arguments: BrokerFixture.allCases)
    func refusesBadLimits(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let good = QueueLimits(
                weights: ["acme": 3], caps: ["queue": 5], rates: ["kind:x": .init(count: 2, intervalMilliseconds: 100)])
            try await broker.setLimits(queue: "q", good)
            #expect(try await broker.limits(queue: "q") == good)
            let bad: [QueueLimits] = [
                QueueLimits(weights: ["acme": 0]),
                QueueLimits(weights: ["a:b": 1]),
                QueueLimits(caps: ["tenants:acme": 1]),
                QueueLimits(caps: ["tenant:a:b": 1]),
                QueueLimits(caps: ["queue": -1]),
                QueueLimits(rates: ["tenant:acme": .init(count: 0, intervalMilliseconds: 1_000)]),
                QueueLimits(rates: ["key:lead": .init(count: 1, intervalMilliseconds: 0)]),
            ]
            for limits in bad {
                await #expect { try await broker.setLimits(queue: "q", limits) } throws: {
                    ($0 as? BrokerError)?.code == .invalidLimits
                }
            }
            #expect(try await broker.limits(queue: "q") == good)
        }
    }
}
