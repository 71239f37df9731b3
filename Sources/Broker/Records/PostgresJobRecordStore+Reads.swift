import PostgresClient

/// The reads the API serves from the system of record; each is one query.
extension PostgresJobRecordStore {
    public func jobs(
        tenant: String, kind: String?, states: Set<JobState>?, since: String?, before: String?, limit: Int
    ) async throws -> [RecordedJob] {
        let stateList = states.map { PostgresArrayLiteral.text($0.map(\.rawValue).sorted()) }
        return try await query(
            """
            SELECT \(Self.selectColumns) FROM jobs
            WHERE tenant = $1 AND ($2::text IS NULL OR kind = $2)
              AND ($3::text[] IS NULL OR state = ANY($3::text[]))
              AND ($4::uuid IS NULL OR id < $4::uuid)
              AND ($6::uuid IS NULL OR id >= $6::uuid)
            ORDER BY id DESC LIMIT $5
            """, [tenant, kind, stateList, before, String(limit), since])
    }

    public func childCounts(parentBatches: [String]) async throws -> [String: BatchChildCounts] {
        guard !parentBatches.isEmpty else { return [:] }
        let rows = try await pool.withConnection { connection in
            try await connection.query(
                """
                SELECT parent_batch,
                       count(*) FILTER (WHERE state = 'succeeded'),
                       count(*) FILTER (WHERE state IN ('failed', 'dead', 'canceled')),
                       count(*),
                       count(*) FILTER (WHERE state = 'canceled')
                FROM jobs WHERE parent_batch = ANY($1::text[]) GROUP BY parent_batch
                """, [PostgresArrayLiteral.text(parentBatches)])
        }
        var counts = Dictionary(
            uniqueKeysWithValues: parentBatches.map { ($0, BatchChildCounts(succeeded: 0, unsuccessful: 0, all: 0)) })
        for row in rows.rows {
            guard row.count == 5, let parent = row[0], let succeeded = row[1].flatMap({ Int($0) }),
                let unsuccessful = row[2].flatMap({ Int($0) }), let all = row[3].flatMap({ Int($0) }),
                let canceled = row[4].flatMap({ Int($0) })
            else {
                throw BrokerError(.malformedReply, "child counts came back as \(row)", field: "jobs.parent_batch")
            }
            counts[parent] = BatchChildCounts(succeeded: succeeded, unsuccessful: unsuccessful, all: all, canceled: canceled)
        }
        return counts
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
