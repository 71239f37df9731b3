import PostgresClient
public import VelocityTypes

extension CRMImportStore {
    /// The tenant's records that merge candidates point at (`crm_people` and `crm_accounts`, by
    /// id), as JSON rows, so a reviewer sees each candidate beside the proposal; ids of other
    /// tenants or of no record are left out.
    public func existingRecords(tenant: String, people: [String], accounts: [String]) async throws -> [String: JSONValue] {
        let people = people.filter(Self.isUUID)
        let accounts = accounts.filter(Self.isUUID)
        guard !people.isEmpty || !accounts.isEmpty else { return [:] }
        let rows = try await postgres.withConnection { connection in
            try await connection.query(
                """
                SELECT id::text, (to_jsonb(p) - 'tenant_id' - 'name_key')::text AS record FROM crm_people p
                WHERE tenant_id = $1 AND id = ANY($2::uuid[])
                UNION ALL
                SELECT id::text, (to_jsonb(a) - 'tenant_id' - 'name_key')::text FROM crm_accounts a
                WHERE tenant_id = $1 AND id = ANY($3::uuid[])
                """, [tenant, PostgresArrayLiteral.text(people), PostgresArrayLiteral.text(accounts)])
        }
        var records: [String: JSONValue] = [:]
        for row in rows {
            let id = try row.text("id", table: "crm_people")
            records[id] = JSONValue(parsing: try row.text("record", table: "crm_people"))
        }
        return records
    }
}
