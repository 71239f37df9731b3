public import Broker
import Foundation
public import GPUBox

/// Finds jobs for the API: live state from Redis, history from Postgres.
///
/// A job id does not name its queue, so a lookup tries each queue's hash in Redis and falls
/// back to the system of record once Redis has let the job go (result TTL, or Redis lost).
public struct JobDirectory: Sendable {
    public let broker: RedisBroker
    public let records: PostgresJobRecordStore
    public let pool: PostgresPool
    public let queues: [String]
    /// The GPU boxes, to say why a queued GPU job waits; nil leaves that out.
    public let boxes: BoxStateStore?

    public init(
        broker: RedisBroker, records: PostgresJobRecordStore, pool: PostgresPool, queues: [String],
        boxes: BoxStateStore? = nil
    ) {
        self.broker = broker
        self.records = records
        self.pool = pool
        self.queues = queues
        self.boxes = boxes
    }

    /// The job as `principal` may see it; a 404 for an unknown id or another tenant's job,
    /// which are indistinguishable on purpose.
    public func view(id: String, for principal: Principal) async throws -> JobView {
        guard JobID.isValid(id) else { throw GatewayError.notFound("job") }
        if let snapshot = try await snapshot(id: id) {
            guard principal.canSee(tenant: snapshot.tenant) else { throw GatewayError.notFound("job") }
            let position =
                snapshot.state == .queued ? try await broker.queuePosition(queue: snapshot.queue, jobID: id) : nil
            var view = JobView(snapshot: snapshot, position: position, nowMilliseconds: Self.nowMilliseconds())
            if snapshot.state == .queued, BoxDirectory.isGPUQueue(snapshot.queue), let boxes,
                let all = try? await boxes.boxes()
            {
                view.waiting_reason = BoxDirectory.waitingReason(queue: snapshot.queue, boxes: all)
            }
            return view
        }
        guard let record = try await records.job(id: id), principal.canSee(tenant: record.submission.tenant) else {
            throw GatewayError.notFound("job")
        }
        return JobView(record: record)
    }

    /// The broker's snapshot of a job, from whichever queue holds it.
    public func snapshot(id: String) async throws -> JobSnapshot? {
        try await broker.job(id: id, queues: queues)
    }

    /// The job's result text and state, from Redis or, once expired there, Postgres.
    public func result(id: String, for principal: Principal) async throws -> (view: JobView, result: String?) {
        let view = try await view(id: id, for: principal)
        if let snapshot = try await snapshot(id: id) { return (view, snapshot.result) }
        return (view, try await records.job(id: id)?.result)
    }

    /// A page of the tenant's jobs, newest first, with live states from Redis.
    public func list(
        tenant: String, state: JobState?, kind: String?, before cursor: String?, limit: Int
    ) async throws -> (jobs: [JobView], next: String?) {
        var conditions = ["tenant = $1"]
        var parameters: [String?] = [tenant]
        if let kind {
            parameters.append(kind)
            conditions.append("kind = $\(parameters.count)")
        }
        if let cursor {
            parameters.append(cursor)
            conditions.append("id < $\(parameters.count)::uuid")
        }
        // Postgres holds terminal states; open jobs' live states come from Redis below, so a
        // state filter on open states is applied after that overlay.
        if let state, state.isTerminal {
            parameters.append(state.rawValue)
            conditions.append("state = $\(parameters.count)")
        } else if state != nil {
            conditions.append("state NOT IN ('succeeded', 'failed', 'canceled', 'dead')")
        }
        let sql = """
            SELECT id::text FROM jobs WHERE \(conditions.joined(separator: " AND "))
            ORDER BY id DESC LIMIT \(limit + 1)
            """
        let rows = try await pool.withConnection { try await $0.query(sql, parameters) }
        let ids = rows.rows.compactMap { $0[0] }
        var views: [JobView] = []
        for id in ids.prefix(limit) {
            let principal = Principal(tenant: tenant, subject: "", role: .submitter)
            if let view = try? await view(id: id, for: principal) {
                if let state, !state.isTerminal, view.status != state.rawValue { continue }
                views.append(view)
            }
        }
        return (views, ids.count > limit ? ids[limit - 1] : nil)
    }

    static func nowMilliseconds() -> Int { Int(Date().timeIntervalSince1970 * 1000) }
}
