import Broker
import Foundation
import TestSupport
import Testing

/// The reads of the system of record the API serves: a tenant's jobs, and a batch's children.
@Suite("Job record store reads")
struct JobRecordStoreReadTests {
    func withStore<T>(_ body: (PostgresJobRecordStore) async throws -> T) async throws -> T {
        let fixture = try await TestRecordStore.make()
        do {
            let result = try await body(fixture.store)
            await fixture.tearDown()
            return result
        } catch {
            await fixture.tearDown()
            throw error
        }
    }

    func job(_ kind: String = "a.job", tenant: String = "acme", batch: String? = nil, queue: String = "q")
        -> JobSubmission
    {
        JobSubmission(kind: kind, queue: queue, tenant: tenant, payload: #"{"k":"\#(kind)"}"#, parentBatch: batch)
    }

    func end(_ id: String, _ state: JobState, result: String? = nil, error: String? = nil) -> JobStateRecord {
        JobStateRecord(
            id: id, state: state, at: Int(Date().timeIntervalSince1970 * 1000), attempts: 1, errorCode: error,
            errorMessage: error.map { "because \($0)" }, result: result)
    }

    @Test("a tenant's jobs come newest first in pages, filtered by kind and state")
    func tenantJobs() async throws {
        try await withStore { store in
            var jobs = [job("a.job"), job("b.job"), job("a.job"), job("b.job"), job("a.job", tenant: "globex")]
            // The trace context goes into the record and comes back out.
            jobs[3].traceParent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
            _ = try await store.recordAccepted(jobs)
            try await store.apply([end(jobs[1].id, .succeeded, result: #"{"ok":1}"#), end(jobs[2].id, .dead, error: "boom")])
            let ids = jobs.map(\.id)

            let all = try await store.jobs(tenant: "acme", kind: nil, states: nil, before: nil, limit: 10)
            #expect(all.map(\.submission.id) == [ids[3], ids[2], ids[1], ids[0]])
            #expect(all[2].state == .succeeded)
            #expect(all[2].result == #"{"ok":1}"#)
            #expect(all[1].errorCode == "boom")
            #expect(all[0].submission == jobs[3].with(createdMilliseconds: all[0].submission.createdMilliseconds))

            let page = try await store.jobs(tenant: "acme", kind: nil, states: nil, before: nil, limit: 2)
            #expect(page.map(\.submission.id) == [ids[3], ids[2]])
            let next = try await store.jobs(tenant: "acme", kind: nil, states: nil, before: ids[2], limit: 2)
            #expect(next.map(\.submission.id) == [ids[1], ids[0]])
            #expect(try await store.jobs(tenant: "acme", kind: nil, states: nil, before: ids[0], limit: 2).isEmpty)

            let kindA = try await store.jobs(tenant: "acme", kind: "a.job", states: nil, before: nil, limit: 10)
            #expect(kindA.map(\.submission.id) == [ids[2], ids[0]])
            let ended = try await store.jobs(
                tenant: "acme", kind: nil, states: [.succeeded, .dead], before: nil, limit: 10)
            #expect(ended.map(\.submission.id) == [ids[2], ids[1]])
            let open = Set(JobState.allCases.filter { !$0.isTerminal })
            let waiting = try await store.jobs(tenant: "acme", kind: "b.job", states: open, before: nil, limit: 10)
            #expect(waiting.map(\.submission.id) == [ids[3]])
            #expect(try await store.jobs(tenant: "acme", kind: nil, states: [], before: nil, limit: 10).isEmpty)

            let other = try await store.jobs(tenant: "globex", kind: nil, states: nil, before: nil, limit: 10)
            #expect(other.map(\.submission.id) == [ids[4]])
            #expect(try await store.jobs(tenant: "nobody", kind: nil, states: nil, before: nil, limit: 10).isEmpty)
        }
    }

    @Test("a batch's children: counts by outcome, the open ones, and pages of the ended ones")
    func batchChildren() async throws {
        try await withStore { store in
            let children = (0..<6).map { i in job(batch: "batch_1", queue: i % 2 == 0 ? "q" : "r") }
            _ = try await store.recordAccepted(children + [job(batch: "batch_2"), job()])
            let ids = children.map(\.id)
            try await store.apply([
                end(ids[0], .succeeded, result: #"{"n":0}"#), end(ids[2], .failed, error: "bad"),
                end(ids[3], .canceled), end(ids[5], .succeeded),
            ])

            #expect(
                try await store.childCounts(parentBatch: "batch_1")
                    == BatchChildCounts(succeeded: 2, unsuccessful: 2, all: 6, canceled: 1))
            #expect(try await store.childCounts(parentBatch: "batch_1").ended == 4)
            #expect(try await store.childCounts(parentBatch: "none") == BatchChildCounts(succeeded: 0, unsuccessful: 0, all: 0))

            let open = try await store.openChildren(parentBatch: "batch_1")
            #expect(Set(open) == [JobReference(queue: "r", id: ids[1]), JobReference(queue: "q", id: ids[4])])

            let first = try await store.endedChildren(parentBatch: "batch_1", afterID: nil, limit: 3)
            #expect(first.map(\.submission.id) == [ids[0], ids[2], ids[3]])
            #expect(first.map(\.state) == [.succeeded, .failed, .canceled])
            #expect(first[0].result == #"{"n":0}"#)
            #expect(first[0].submission.payload == #"{"k":"a.job"}"#)
            #expect(first[1].errorCode == "bad")
            #expect(first[1].errorMessage == "because bad")
            let second = try await store.endedChildren(parentBatch: "batch_1", afterID: ids[3], limit: 3)
            #expect(second.map(\.submission.id) == [ids[5]])
            #expect(try await store.endedChildren(parentBatch: "batch_1", afterID: ids[5], limit: 3).isEmpty)
        }
    }
}

extension JobSubmission {
    func with(createdMilliseconds: Int?) -> JobSubmission {
        var copy = self
        copy.createdMilliseconds = createdMilliseconds
        return copy
    }
}
