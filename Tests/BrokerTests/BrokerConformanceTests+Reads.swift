import Broker
import Foundation
import TestSupport
import Testing

/// The read face every `JobBroker` offers the API: snapshots, batched and across queues, and
/// the event stream.
extension BrokerConformanceTests {
    @Test(
        "jobs(queue:ids:) reads many snapshots in order, nil for unknown ids, with queue positions",
        arguments: BrokerFixture.allCases)
    func batchedSnapshots(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let a = submission(payload: #"{"n":1}"#)
            let b = submission(kind: "other.job")
            let c = submission()
            _ = try await broker.enqueue([a, b, c])
            let claimed = try await broker.claimOne()
            #expect(claimed.id == a.id)
            let unknown = JobID.make()
            let snapshots = try await broker.jobs(queue: "q", ids: [c.id, unknown, a.id, b.id])
            #expect(snapshots.map { $0?.id } == [c.id, nil, a.id, b.id])
            #expect(snapshots.map { $0?.state } == [.queued, nil, .starting, .queued])
            // Positions count the jobs claimed first, for queued jobs only.
            #expect(snapshots.map { $0?.queuePosition } == [1, nil, nil, 0])
            #expect(snapshots[2]?.payload == #"{"n":1}"#)
            #expect(snapshots[2]?.attempts == 1)
            #expect(snapshots[3]?.kind == "other.job")
            #expect(snapshots[3]?.tenant == "acme")
            #expect(try await broker.jobs(queue: "q", ids: []).isEmpty)
            #expect(try await broker.jobs(queue: "elsewhere", ids: [a.id]) == [nil])

            try await broker.complete(claimed.lease, result: #"{"ok":1}"#)
            let done = try await broker.jobs(queue: "q", ids: [a.id])
            #expect(done.first??.state == .succeeded)
            #expect(done.first??.result == #"{"ok":1}"#)
            #expect(done.first??.queuePosition == nil)
        }
    }

    @Test(
        "recentRunMilliseconds lists the run times of the queue's finished jobs, newest first", arguments: BrokerFixture.allCases)
    func recentRunTimes(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            #expect(try await broker.recentRunMilliseconds(queue: "q").isEmpty)
            _ = try await broker.enqueue([submission(), submission()])
            let first = try await broker.claimOne()
            try await broker.complete(first.lease, result: nil)
            let second = try await broker.claimOne()
            try await Task.sleep(for: .milliseconds(30))
            try await broker.complete(second.lease, result: nil)
            let runs = try await broker.recentRunMilliseconds(queue: "q")
            #expect(runs.count == 2)
            // The second ran at least 30 ms (the scripts' clock) and finished last.
            #expect(runs[0] >= 30)
            #expect(runs.allSatisfy { $0 >= 0 })
            #expect(try await broker.recentRunMilliseconds(queue: "elsewhere").isEmpty)
        }
    }

    @Test("job(id:queues:) finds a job in whichever queue holds it, with its result", arguments: BrokerFixture.allCases)
    func snapshotAcrossQueues(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let job = submission("second")
            _ = try await broker.enqueue([job])
            let queued = try #require(try await broker.job(id: job.id, queues: ["first", "second", "third"]))
            #expect(queued.queue == "second")
            #expect(queued.state == .queued)
            #expect(queued.queuePosition == 0)
            #expect(try await broker.job(id: job.id, queues: ["first", "third"]) == nil)
            #expect(try await broker.job(id: job.id, queues: []) == nil)
            #expect(try await broker.job(id: JobID.make(), queues: ["first", "second"]) == nil)

            let claimed = try await broker.claimOne("second")
            try await broker.complete(claimed.lease, result: #"{"rows":3}"#)
            let done = try #require(try await broker.job(id: job.id, queues: ["first", "second"]))
            #expect(done.state == .succeeded)
            #expect(done.result == #"{"rows":3}"#)
            #expect(done.queuePosition == nil)
        }
    }

    @Test("a cancel reader sees only cancel requests of running jobs, from when it was made", arguments: BrokerFixture.allCases)
    func cancelReader(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let running = submission()
            let waiting = submission()
            _ = try await broker.enqueue([running])
            let claimed = try await broker.claimOne()
            _ = try await broker.enqueue([waiting])
            let reader = try await broker.makeCancelReader(queue: "q")
            #expect(try await broker.cancel(queue: "q", jobID: waiting.id) == .canceled)
            #expect(try await broker.cancel(queue: "q", jobID: running.id) == .requested)
            #expect(try await broker.cancel(queue: "q", jobID: running.id) == .requested)
            var events: [JobEvent] = []
            for _ in 0..<10 where events.isEmpty { events += try await reader.read(maxEvents: 10, wait: .seconds(1)) }
            #expect(events.map(\.jobID) == [running.id], "one entry: the waiting job's cancel and the repeat add none")
            #expect(events.map(\.state) == ["cancel_requested"])
            #expect(events.map(\.attempt) == [claimed.attempt])
            #expect(try await reader.read(maxEvents: 10, wait: .milliseconds(50)).isEmpty)
            await reader.close()
        }
    }

    @Test("an event reader follows a queue's changes in order from when it was made", arguments: BrokerFixture.allCases)
    func eventReader(_ fixture: BrokerFixture) async throws {
        try await fixture.with { broker in
            let before = submission()
            _ = try await broker.enqueue([before])
            let reader = try await broker.makeEventReader(queue: "q")
            do {
                #expect(reader.queue == "q")
                let job = submission()
                _ = try await broker.enqueue([job])
                #expect(try await broker.claimOne().id == before.id)
                let claimed = try await broker.claimOne()
                _ = try await broker.heartbeat(claimed.lease, progress: JobProgress(fraction: 0.5))
                try await broker.complete(claimed.lease, result: nil)

                var events: [JobEvent] = []
                for _ in 0..<10 where events.count < 6 {
                    events += try await reader.read(maxEvents: 4, wait: .seconds(1))
                }
                #expect(events.map(\.jobID) == [job.id, before.id, job.id, job.id, job.id, job.id])
                #expect(events.map(\.state) == ["queued", "starting", "starting", "processing", "progress", "succeeded"])
                #expect(events.map(\.attempt) == [nil, 1, 1, nil, nil, nil])
                #expect(Set(events.map(\.position)).count == 6)
                // Nothing more: the wait runs out with no events.
                #expect(try await reader.read(maxEvents: 10, wait: .milliseconds(50)).isEmpty)
                await reader.close()
            } catch {
                await reader.close()
                throw error
            }
        }
    }
}
