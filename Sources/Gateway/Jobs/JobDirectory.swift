public import Broker
public import Foundation
public import GPUBox

/// Finds jobs for the API: live state from the broker, history from the system of record.
///
/// A job id does not name its queue, so a lookup asks the broker about every queue in one
/// round trip, and asks the record only once the broker has let the job go (result TTL, or
/// Redis lost).
public struct JobDirectory: Sendable {
    public let broker: any JobBroker
    public let records: any JobRecordStore
    public let queues: [String]
    /// The GPU boxes, to say why a queued GPU job waits; nil leaves that out.
    public let boxes: BoxStateStore?

    public init(broker: any JobBroker, records: any JobRecordStore, queues: [String], boxes: BoxStateStore? = nil) {
        self.broker = broker
        self.records = records
        self.queues = queues
        self.boxes = boxes
    }

    /// The job as `principal` may see it; a 404 for an unknown id or another tenant's job,
    /// which are indistinguishable on purpose.
    public func view(id: String, for principal: Principal) async throws -> JobView {
        try await result(id: id, for: principal).view
    }

    /// The job and its result text, from one read of the broker or, once it has let the job
    /// go, of the record.
    public func result(id: String, for principal: Principal) async throws -> (view: JobView, result: String?) {
        guard JobID.isValid(id) else { throw GatewayError.notFound("job") }
        if let snapshot = try await broker.job(id: id, queues: queues) {
            guard principal.canSee(tenant: snapshot.tenant) else { throw GatewayError.notFound("job") }
            return (await views(live: [snapshot])[0], snapshot.result)
        }
        guard let record = try await records.job(id: id), principal.canSee(tenant: record.submission.tenant) else {
            throw GatewayError.notFound("job")
        }
        return (JobView(record: record), record.result)
    }

    /// A page of the tenant's jobs, newest first: one query of the record, then the live state
    /// of the page from the broker, one round trip per queue, issued together.
    public func list(
        tenant: String, state: JobState?, kind: String?, since: Date? = nil, before cursor: String?, limit: Int
    ) async throws -> (jobs: [JobView], next: String?) {
        // The record holds terminal states; open jobs' live states come from the broker, so a
        // filter on an open state takes every open job here and is applied after the overlay.
        let states: Set<JobState>? = state.map {
            $0.isTerminal ? [$0] : Set(JobState.allCases.filter { !$0.isTerminal })
        }
        let page = try await records.jobs(
            tenant: tenant, kind: kind, states: states, since: since.map(JobID.floor(of:)), before: cursor, limit: limit + 1)
        let shown = Array(page.prefix(limit))
        // Ended jobs too: until the result TTL the broker has their timings, which the record lacks.
        let live: [String: JobView] = await views(live: try await snapshots(of: shown)).reduce(into: [:]) {
            $0[$1.id] = $1
        }
        var views: [JobView] = []
        for record in shown {
            let view = live[record.submission.id] ?? JobView(record: record)
            if let state, !state.isTerminal, view.status != state.rawValue { continue }
            views.append(view)
        }
        return (views, page.count > limit ? shown[limit - 1].submission.id : nil)
    }

    /// Views of jobs of one queue, by id, from one round trip to the broker; ids the broker no
    /// longer holds and jobs `principal` may not see are left out.
    public func views(queue: String, ids: [String], for principal: Principal) async throws -> [JobView] {
        guard !ids.isEmpty else { return [] }
        let snapshots = try await broker.jobs(queue: queue, ids: ids).compactMap { $0 }
        return await views(live: snapshots.filter { principal.canSee(tenant: $0.tenant) })
    }

    /// The broker's snapshots of recorded jobs, read per queue concurrently.
    func snapshots(of jobs: [RecordedJob]) async throws -> [JobSnapshot] {
        let byQueue = Dictionary(grouping: jobs.map(\.submission).filter { queues.contains($0.queue) }, by: \.queue)
        let broker = self.broker
        return try await withThrowingTaskGroup(of: [JobSnapshot?].self) { group in
            for (queue, jobs) in byQueue {
                group.addTask { try await broker.jobs(queue: queue, ids: jobs.map(\.id)) }
            }
            return try await group.reduce(into: []) { $0 += $1.compactMap { $0 } }
        }
    }

    /// Views of broker snapshots, with why each queued GPU job waits.
    func views(live snapshots: [JobSnapshot]) async -> [JobView] {
        let now = Self.nowMilliseconds()
        var views = snapshots.map { JobView(snapshot: $0, nowMilliseconds: now) }
        let waiting = views.indices.filter {
            views[$0].status == JobState.queued.rawValue && BoxDirectory.isGPUQueue(views[$0].queue)
        }
        // The box states only explain a wait: when they cannot be read, the reason is left out
        // rather than failing the read of the job.
        if !waiting.isEmpty, let boxes, let all = try? await boxes.boxes() {
            for index in waiting {
                // No capacity on the box explains the wait before any cap or rate does; a box
                // that serves the queue is its capacity, whether or not its workers claimed yet.
                if let reason = BoxDirectory.waitingReason(queue: views[index].queue, boxes: all) {
                    views[index].waiting_reason = reason
                    views[index].eta = nil
                } else if views[index].waiting_reason?.hasPrefix(RedisBroker.noWorkerReasonPrefix) == true {
                    views[index].waiting_reason = nil
                }
            }
        }
        return views
    }

    static func nowMilliseconds() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
}
