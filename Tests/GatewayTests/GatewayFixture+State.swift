import Broker
import Foundation

extension GatewayFixture {
    /// Everything a refused request must leave as it was: every row of every table of the
    /// gateway's schema (a digest per table), every Redis key of its namespace (its value, canonical), and
    /// every blob (its size). Keyed `pg:<table>`, `redis:<key>`, `blob:<path>`.
    ///
    /// `ignoringRedis` names key fragments that move by themselves or by design (a tenant's
    /// request-rate bucket is spent by every authenticated request, refused or not);
    /// `ignoringColumns`, columns that do (a coordinator's lease, renewed while a batch runs).
    func state(ignoringRedis ignored: [String] = [], ignoringColumns columns: [String] = ["lease_owner", "lease_until"])
        async throws -> [String: String]
    {
        var state: [String: String] = [:]
        let tables = try await gateway.postgres.withConnection {
            try await $0.query(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE'",
                [schema])
        }.rows.compactMap { $0[0] }
        if !tables.isEmpty {
            let digests = tables.map {
                "SELECT '\($0)', count(*)::text || ':' || md5(coalesce(string_agg(r, '|' ORDER BY r), '')) "
                    + "FROM (SELECT (to_jsonb(t) - $1::text[])::text AS r FROM \(schema).\"\($0)\" t) rows"
            }.joined(separator: " UNION ALL ")
            let ignoredColumns = "{" + columns.joined(separator: ",") + "}"
            for row in try await gateway.postgres.withConnection({ try await $0.query(digests, [ignoredColumns]) }).rows {
                state["pg:\(row[0] ?? "")"] = row[1] ?? ""
            }
        }
        for key in try await gateway.redis.keys(matching: "\(gateway.configuration.namespace):*")
        where !ignored.contains(where: key.contains) {
            state["redis:\(key)"] = try await redisValue(key)
        }
        let enumerator = FileManager.default.enumerator(atPath: blobRoot.path)
        while let path = enumerator?.nextObject() as? String {
            let attributes = try? FileManager.default.attributesOfItem(atPath: blobRoot.appendingPathComponent(path).path)
            if attributes?[.type] as? FileAttributeType == .typeRegular {
                state["blob:\(path)"] = "\(attributes?[.size] ?? 0)"
            }
        }
        return state
    }

    /// A key's value in a canonical form. Not `DUMP` for hashes and sets: a hash table's dump
    /// follows its buckets, and a read that steps an unfinished rehash reorders them, so the same
    /// fields would dump differently (this failed in CI on a queued render's job hash).
    func redisValue(_ key: String) async throws -> String {
        let type = try await gateway.redis.send(RedisCommand("TYPE", [key])).string ?? ""
        switch type {
        case "hash":
            let fields = try await gateway.redis.send(RedisCommand("HGETALL", [key])).array ?? []
            let pairs = stride(from: 0, to: fields.count - 1, by: 2).map {
                "\(fields[$0].string ?? "")=\(fields[$0 + 1].string ?? "")"
            }
            return "hash:" + pairs.sorted().joined(separator: "\u{0}")
        case "set":
            let members = try await gateway.redis.send(RedisCommand("SMEMBERS", [key])).array ?? []
            return "set:" + members.compactMap(\.string).sorted().joined(separator: "\u{0}")
        default:
            return "\(type):\(try await gateway.redis.send(RedisCommand("DUMP", [key])))"
        }
    }

    /// The entries of two `state()`s that differ, for a failure message.
    static func changes(_ before: [String: String], _ after: [String: String]) -> [String] {
        Set(before.keys).union(after.keys).filter { before[$0] != after[$0] }.sorted()
    }
}
