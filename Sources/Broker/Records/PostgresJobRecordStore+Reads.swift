import PostgresClient

/// The reads the API serves from the system of record; each is one query.
extension PostgresJobRecordStore {
    public func jobs(tenant: String, kind: String?, states: Set<JobState>?, before: String?, limit: Int) async throws
        -> [RecordedJob]
    {
        let stateList = states.map { "{" + $0.map(\.rawValue).sorted().joined(separator: ",") + "}" }
        return try await query(
            """
            SELECT \(Self.selectColumns) FROM jobs
            WHERE tenant = $1 AND ($2::text IS NULL OR kind = $2)
              AND ($3::text[] IS NULL OR state = ANY($3::text[]))
              AND ($4::uuid IS NULL OR id < $4::uuid)
            ORDER BY id DESC LIMIT $5
            """, [tenant, kind, stateList, before, String(limit)])
    }

    public func childCounts(parentBatch: String) async throws -> BatchChildCounts {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT count(*) FILTER (WHERE state = 'succeeded'),
                       count(*) FILTER (WHERE state IN ('failed', 'dead', 'canceled')),
                       count(*)
                FROM jobs WHERE parent_batch = $1
                """, [parentBatch])
        }
        guard let row = rows.rows.first, row.count == 3, let succeeded = row[0].flatMap({ Int($0) }),
            let unsuccessful = row[1].flatMap({ Int($0) }), let all = row[2].flatMap({ Int($0) })
        else {
            throw BrokerError(.recordStoreUnavailable, "the child counts of batch \(parentBatch) came back as \(rows.rows)")
        }
        return BatchChildCounts(succeeded: succeeded, unsuccessful: unsuccessful, all: all)
    }

    public func openChildren(parentBatch: String) async throws -> [JobReference] {
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT id::text, queue FROM jobs
                WHERE parent_batch = $1 AND state NOT IN ('succeeded', 'failed', 'canceled', 'dead')
                """, [parentBatch])
        }
        return try rows.rows.map { row in
            guard row.count == 2, let id = row[0], let queue = row[1] else {
                throw BrokerError(.recordStoreUnavailable, "an open child of batch \(parentBatch) came back as \(row)")
            }
            return JobReference(queue: queue, id: id)
        }
    }

    public func endedChildren(parentBatch: String, afterID: String?, limit: Int) async throws -> [RecordedJob] {
        try await query(
            """
            SELECT \(Self.selectColumns) FROM jobs
            WHERE parent_batch = $1 AND state IN ('succeeded', 'failed', 'canceled', 'dead')
              AND ($2::uuid IS NULL OR id > $2::uuid)
            ORDER BY id LIMIT $3
            """, [parentBatch, afterID, String(limit)])
    }

    /// Runs a query selecting `selectColumns`; a row that does not decode fails it.
    func query(_ sql: String, _ parameters: [String?]) async throws -> [RecordedJob] {
        let rows = try await pool.withConnection { connection in try await connection.query(sql, parameters) }
        return try rows.rows.map(Self.recordedJob)
    }
}
